package lambda

import "testing"

func TestVCPUs(t *testing.T) {
	for mem, want := range map[int]int{0: 1, 128: 1, 1769: 1, 1770: 2, 3538: 2, 3539: 3, 10240: 6, 20000: 6} {
		if got := vCPUs(mem); got != want {
			t.Errorf("vCPUs(%d) = %d, want %d", mem, got, want)
		}
	}
}
