// Package scheduler places invocations on execution environments: warm
// reuse (one invocation at a time per environment), new environments as
// load needs them up to the function's reserved concurrency and the
// account's limit, throttling beyond, idle reaping, pre-warming and
// recycling after a code change.
package scheduler

import "sync/atomic"

// Account is the account-wide concurrency limit shared by every pool.
type Account struct {
	limit int64
	inUse atomic.Int64
}

// NewAccount returns an account allowing limit concurrent invocations.
func NewAccount(limit int) *Account { return &Account{limit: int64(limit)} }

func (a *Account) acquire() bool {
	if a.inUse.Add(1) > a.limit {
		a.inUse.Add(-1)
		return false
	}
	return true
}

func (a *Account) release() { a.inUse.Add(-1) }

// InUse is the number of invocations in flight across the account.
func (a *Account) InUse() int { return int(a.inUse.Load()) }

// Limit is the account's concurrency limit.
func (a *Account) Limit() int { return int(a.limit) }
