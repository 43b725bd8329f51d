// Command heap allocates objects of several sizes from several call paths,
// keeps some of them alive and drops the rest, then writes two profiles:
// the heap profile (default sample type inuse_space) and, after a second
// round of allocations, the allocs profile (default sample type
// alloc_space). Usage: heap HEAP_OUTPUT ALLOCS_OUTPUT
//
// Every allocation is sampled (runtime.MemProfileRate = 1), so the counts
// of the program's own allocations are exact.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
)

// Set before any allocation of main: record every allocation.
var _ = func() int { runtime.MemProfileRate = 1; return 0 }()

type record struct {
	id      int
	payload [48]byte
}

type node struct {
	left, right *node
	value       [8]int64
}

var (
	keptRecords []*record
	keptBuffers [][]byte
	keptTree    *node
	keptIndex   map[string]int
	sinkBytes   int
)

//go:noinline
func newRecord(id int) *record {
	return &record{id: id}
}

//go:noinline
func newBuffer(size int) []byte {
	return make([]byte, size)
}

// loadConfig and handleRequest reach the same allocation site (newRecord)
// by two different paths.
//
//go:noinline
func loadConfig(n int) {
	for i := 0; i < n; i++ {
		keptRecords = append(keptRecords, newRecord(i))
	}
}

//go:noinline
func handleRequest(n int) {
	for i := 0; i < n; i++ {
		r := newRecord(i) // dropped right away
		sinkBytes += int(r.payload[0])
	}
}

// buildTree allocates recursively; the tree is kept alive.
func buildTree(depth int) *node {
	if depth == 0 {
		return nil
	}
	return &node{left: buildTree(depth - 1), right: buildTree(depth - 1)}
}

// fillCache keeps 4 KiB buffers alive, scratch drops 16 KiB buffers.
//
//go:noinline
func fillCache(n int) {
	for i := 0; i < n; i++ {
		keptBuffers = append(keptBuffers, newBuffer(4096))
	}
}

//go:noinline
func scratch(n int) {
	for i := 0; i < n; i++ {
		b := newBuffer(16384)
		sinkBytes += len(b)
	}
}

// bigBlock makes a few large (1 MiB) allocations that are all dropped.
//
//go:noinline
func bigBlock(n int) {
	for i := 0; i < n; i++ {
		b := make([]byte, 1<<20)
		sinkBytes += len(b)
	}
}

//go:noinline
func buildIndex(n int) {
	keptIndex = make(map[string]int)
	for i := 0; i < n; i++ {
		keptIndex[strings.Repeat("k", 1+i%7)+fmt.Sprint(i)] = i
	}
}

func write(path, name string) {
	runtime.GC() // the heap profile is as of the last completed GC
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: heap HEAP_OUTPUT ALLOCS_OUTPUT")
		os.Exit(2)
	}
	// Round one.
	loadConfig(1000)
	handleRequest(3000)
	keptTree = buildTree(10)
	fillCache(64)
	scratch(32)
	bigBlock(4)
	buildIndex(500)
	write(os.Args[1], "heap")

	// Round two: more garbage, and the kept records are released.
	handleRequest(2000)
	scratch(16)
	bigBlock(2)
	keptRecords = nil
	write(os.Args[2], "allocs")
}
