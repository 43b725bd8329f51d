// Command cpu burns CPU in a few functions of different weight and writes a
// CPU profile. Usage: cpu OUTPUT [SECONDS]
//
// Shape of the profile (the exact numbers vary from run to run):
//   - main goroutine, labels worker=main: heavy : medium : light ≈ 4 : 2 : 1,
//     each of them spinning on the inlined helpers step and mix;
//   - goroutine labelled worker=solver: the recursive function fib;
//   - goroutine labelled worker=hasher, and phase=mix or phase=fold set by a
//     nested pprof.Do: hashBlock (with inlined mix) and fold.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"sync"
	"time"
)

// sink keeps results alive so the compiler cannot drop the work.
var sink uint64

// mix is small enough to be inlined into every caller.
func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	return x ^ (x >> 29)
}

// step is inlined too, and inlines mix: an inline chain of depth two.
func step(acc, i uint64) uint64 {
	return mix(acc+i) + 1
}

//go:noinline
func heavy(n int) uint64 {
	acc := uint64(1)
	for i := 0; i < n*4; i++ {
		acc = step(acc, uint64(i))
	}
	return acc
}

//go:noinline
func medium(n int) uint64 {
	acc := uint64(2)
	for i := 0; i < n*2; i++ {
		acc = step(acc, uint64(i))
	}
	return acc
}

//go:noinline
func light(n int) uint64 {
	acc := uint64(3)
	for i := 0; i < n; i++ {
		acc = mix(acc + uint64(i))
	}
	return acc
}

// fib is deliberately naive: deep recursion, every frame on the stack.
func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

//go:noinline
func hashBlock(seed uint64) uint64 {
	acc := seed
	for i := 0; i < 20000; i++ {
		acc = mix(acc ^ uint64(i))
	}
	return acc
}

//go:noinline
func fold(seed uint64) uint64 {
	acc := seed
	for i := 0; i < 10000; i++ {
		acc = acc*31 + uint64(i)>>3
		acc ^= acc << 7
	}
	return acc
}

func mainWork(deadline time.Time) uint64 {
	var acc uint64
	for time.Now().Before(deadline) {
		acc += heavy(20000)
		acc += medium(20000)
		acc += light(20000)
	}
	return acc
}

func solver(deadline time.Time) uint64 {
	var acc uint64
	for time.Now().Before(deadline) {
		acc += uint64(fib(22))
	}
	return acc
}

func hasher(ctx context.Context, deadline time.Time) uint64 {
	var acc uint64
	for time.Now().Before(deadline) {
		pprof.Do(ctx, pprof.Labels("phase", "mix"), func(context.Context) {
			acc = hashBlock(acc)
		})
		pprof.Do(ctx, pprof.Labels("phase", "fold"), func(context.Context) {
			acc = fold(acc)
		})
	}
	return acc
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: cpu OUTPUT [SECONDS]")
		os.Exit(2)
	}
	seconds := 1.5
	if len(os.Args) > 2 {
		s, err := strconv.ParseFloat(os.Args[2], 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		seconds = s
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	deadline := time.Now().Add(time.Duration(seconds * float64(time.Second)))
	ctx := context.Background()
	var wg sync.WaitGroup
	var results [3]uint64
	wg.Add(2)
	go func() {
		defer wg.Done()
		pprof.Do(ctx, pprof.Labels("worker", "solver"), func(context.Context) {
			results[0] = solver(deadline)
		})
	}()
	go func() {
		defer wg.Done()
		pprof.Do(ctx, pprof.Labels("worker", "hasher"), func(ctx context.Context) {
			results[1] = hasher(ctx, deadline)
		})
	}()
	pprof.Do(ctx, pprof.Labels("worker", "main"), func(context.Context) {
		results[2] = mainWork(deadline)
	})
	wg.Wait()
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sink = results[0] + results[1] + results[2]
}
