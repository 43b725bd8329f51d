// Command block makes goroutines wait in several distinct ways, with every
// blocking event recorded (runtime.SetBlockProfileRate(1)), and writes the
// block profile. Usage: block OUTPUT
//
// Waits, roughly from longest to shortest total delay:
//   - consume: receives from an unbuffered channel fed by a slow producer;
//   - lockAndCount: several goroutines queue on one sync.Mutex held for a while;
//   - publish: sends into a full buffered channel drained slowly;
//   - pick: select over two channels that become ready late;
//   - main waits on a sync.WaitGroup for the workers.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

var total int

//go:noinline
func produce(ch chan<- int, n int, pause time.Duration) {
	for i := 0; i < n; i++ {
		time.Sleep(pause)
		ch <- i
	}
	close(ch)
}

//go:noinline
func consume(ch <-chan int) int {
	sum := 0
	for v := range ch {
		sum += v
	}
	return sum
}

//go:noinline
func lockAndCount(mu *sync.Mutex, hold time.Duration) {
	mu.Lock()
	time.Sleep(hold)
	total++
	mu.Unlock()
}

//go:noinline
func publish(ch chan<- int, n int) {
	for i := 0; i < n; i++ {
		ch <- i
	}
	close(ch)
}

//go:noinline
func drain(ch <-chan int, pause time.Duration) {
	for range ch {
		time.Sleep(pause)
	}
}

//go:noinline
func pick(a, b <-chan int) int {
	select {
	case v := <-a:
		return v
	case v := <-b:
		return v
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: block OUTPUT")
		os.Exit(2)
	}
	runtime.SetBlockProfileRate(1)

	var wg sync.WaitGroup

	// Slow producer, blocked consumer.
	feed := make(chan int)
	wg.Add(2)
	go func() { defer wg.Done(); produce(feed, 20, 10*time.Millisecond) }()
	go func() { defer wg.Done(); total += consume(feed) }()

	// Mutex queue: each of 4 goroutines holds the lock for 20ms.
	var mu sync.Mutex
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); lockAndCount(&mu, 20*time.Millisecond) }()
	}

	// Fast publisher, slow drain through a small buffer.
	queue := make(chan int, 2)
	wg.Add(2)
	go func() { defer wg.Done(); publish(queue, 12) }()
	go func() { defer wg.Done(); drain(queue, 5*time.Millisecond) }()

	// Select that waits until one side is ready.
	a, b := make(chan int), make(chan int)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); total += pick(a, b) }()
	}
	time.Sleep(30 * time.Millisecond)
	a <- 1
	b <- 2
	a <- 3

	wg.Wait()

	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.Lookup("block").WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
