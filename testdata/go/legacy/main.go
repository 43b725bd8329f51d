// Command legacy writes Go's debug=1 text profiles (the legacy formats
// pprof still reads): goroutine, threadcreate, heap, block, mutex and a
// custom profile, one file each, into the directory given as argument.
package main

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

var sink [][]byte

//go:noinline
func allocSmall(n int) {
	for i := 0; i < n; i++ {
		sink = append(sink, make([]byte, 64))
	}
}

//go:noinline
func allocLarge(n int) {
	for i := 0; i < n; i++ {
		sink = append(sink, make([]byte, 16<<10))
	}
}

//go:noinline
func contend(mu *sync.Mutex, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; i < 50; i++ {
		mu.Lock()
		time.Sleep(100 * time.Microsecond)
		mu.Unlock()
	}
}

//go:noinline
func parked(ch chan struct{}) {
	<-ch
}

var things = pprof.NewProfile("cprof.example/things")

type thing struct{ id int }

//go:noinline
func openThing(id int) *thing {
	t := &thing{id}
	things.Add(t, 1)
	return t
}

func write(dir, name, profile string) {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		panic(err)
	}
	if err := pprof.Lookup(profile).WriteTo(f, 1); err != nil {
		panic(err)
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
}

func main() {
	dir := os.Args[1]
	runtime.MemProfileRate = 4096
	runtime.SetBlockProfileRate(1)
	runtime.SetMutexProfileFraction(1)

	allocSmall(1000)
	allocLarge(20)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go contend(&mu, &wg)
	}
	wg.Wait()
	ch := make(chan struct{})
	for i := 0; i < 3; i++ {
		go parked(ch)
	}
	for i := 0; i < 2; i++ {
		openThing(i)
	}
	time.Sleep(10 * time.Millisecond)
	runtime.GC()

	write(dir, "go-goroutine.txt", "goroutine")
	write(dir, "go-threadcreate.txt", "threadcreate")
	write(dir, "go-heap.txt", "heap")
	write(dir, "go-block.txt", "block")
	write(dir, "go-mutex.txt", "mutex")
	write(dir, "go-things.txt", "cprof.example/things")
	close(ch)
}
