package main

import (
	"math"
	"slices"
	"time"
)

// Summary is the median and spread of one figure's repetitions.
type Summary struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	// Spread is (max-min)/median, the relative range of the repetitions.
	Spread float64 `json:"spread"`
	N      int     `json:"n"`
}

// Summarize returns the median, range and relative spread of samples; the
// zero Summary when there are none.
func Summarize(samples []float64) Summary {
	if len(samples) == 0 {
		return Summary{}
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	sum := Summary{Median: median(s), Min: s[0], Max: s[len(s)-1], N: len(s)}
	if sum.Median != 0 {
		sum.Spread = (sum.Max - sum.Min) / math.Abs(sum.Median)
	}
	return sum
}

// median of sorted values: the middle one, or the mean of the two middle ones.
func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// Percentile returns the q-quantile (0..1) of durations by the nearest-rank
// method: the smallest value with at least q of the values at or below it.
// It sorts d in place.
func Percentile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	rank := int(math.Ceil(q * float64(len(d))))
	if rank < 1 {
		rank = 1
	}
	if rank > len(d) {
		rank = len(d)
	}
	return d[rank-1]
}

// ms converts a duration to float milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
