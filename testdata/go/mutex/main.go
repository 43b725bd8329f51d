// Command mutex makes goroutines contend on a sync.Mutex and a
// sync.RWMutex, with every contention event recorded
// (runtime.SetMutexProfileFraction(1)), and writes the mutex profile.
// Usage: mutex OUTPUT
//
// The mutex profile charges the delay of the waiters to the stack that
// unlocks: here updateCounter (long hold, many waiters), writeConfig
// (RWMutex writer holding off readers) and flushLog (short holds).
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

type counter struct {
	mu sync.Mutex
	n  int
}

type config struct {
	mu     sync.RWMutex
	values map[string]string
}

type logger struct {
	mu    sync.Mutex
	lines []string
}

//go:noinline
func updateCounter(c *counter, hold time.Duration) {
	c.mu.Lock()
	time.Sleep(hold)
	c.n++
	c.mu.Unlock()
}

//go:noinline
func writeConfig(c *config, key string, hold time.Duration) {
	c.mu.Lock()
	time.Sleep(hold)
	c.values[key] = key
	c.mu.Unlock()
}

//go:noinline
func readConfig(c *config, key string) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.values[key]
}

//go:noinline
func flushLog(l *logger, line string) {
	l.mu.Lock()
	l.lines = append(l.lines, line)
	time.Sleep(time.Millisecond)
	l.mu.Unlock()
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mutex OUTPUT")
		os.Exit(2)
	}
	runtime.SetMutexProfileFraction(1)

	var wg sync.WaitGroup
	c := &counter{}
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 3; j++ {
				updateCounter(c, 8*time.Millisecond)
			}
		}()
	}

	cfg := &config{values: map[string]string{}}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for j := 0; j < 4; j++ {
			writeConfig(cfg, fmt.Sprint("k", j), 10*time.Millisecond)
			time.Sleep(time.Millisecond)
		}
	}()
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				_ = readConfig(cfg, "k0")
				time.Sleep(2 * time.Millisecond)
			}
		}()
	}

	l := &logger{}
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				flushLog(l, fmt.Sprint(i, j))
			}
		}(i)
	}
	wg.Wait()

	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.Lookup("mutex").WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
