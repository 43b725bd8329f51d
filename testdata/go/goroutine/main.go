// Command goroutine parks goroutines in several distinct stacks, some of
// them carrying pprof labels, and writes the goroutine profile.
// Usage: goroutine OUTPUT
//
// Parked goroutines: 3 × waitForJob (channel receive, labels pool=jobs),
// 2 × idleLoop (select), 1 × lockedOut (sync.Mutex), 1 × waitForSignal
// (sync.Cond), 1 × napper (time.Sleep), plus the main goroutine writing
// the profile.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

//go:noinline
func waitForJob(jobs <-chan int, ready *sync.WaitGroup) int {
	ready.Done()
	return <-jobs
}

//go:noinline
func idleLoop(a, b <-chan int, ready *sync.WaitGroup) int {
	ready.Done()
	select {
	case v := <-a:
		return v
	case v := <-b:
		return v
	}
}

//go:noinline
func lockedOut(mu *sync.Mutex, ready *sync.WaitGroup) {
	ready.Done()
	mu.Lock()
	mu.Unlock()
}

//go:noinline
func waitForSignal(c *sync.Cond, done *bool, ready *sync.WaitGroup) {
	c.L.Lock()
	ready.Done()
	for !*done {
		c.Wait()
	}
	c.L.Unlock()
}

//go:noinline
func napper(ready *sync.WaitGroup) {
	ready.Done()
	time.Sleep(time.Hour)
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: goroutine OUTPUT")
		os.Exit(2)
	}
	var ready sync.WaitGroup

	jobs := make(chan int)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		ready.Add(1)
		go pprof.Do(ctx, pprof.Labels("pool", "jobs"), func(context.Context) {
			waitForJob(jobs, &ready)
		})
	}

	a, b := make(chan int), make(chan int)
	for i := 0; i < 2; i++ {
		ready.Add(1)
		go func() { idleLoop(a, b, &ready) }()
	}

	var mu sync.Mutex
	mu.Lock()
	ready.Add(1)
	go func() { lockedOut(&mu, &ready) }()

	var done bool
	cond := sync.NewCond(&sync.Mutex{})
	ready.Add(1)
	go pprof.Do(ctx, pprof.Labels("pool", "signals"), func(context.Context) {
		waitForSignal(cond, &done, &ready)
	})

	ready.Add(1)
	go napper(&ready)

	ready.Wait()
	// Give the goroutines time to actually park after signalling ready.
	time.Sleep(50 * time.Millisecond)

	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.Lookup("goroutine").WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
