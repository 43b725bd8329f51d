// tabwriter.go - stdin through text/tabwriter configured as runtime/pprof does
// (minwidth 1, tabwidth 8, padding 1, tabs): the reference for the legacy
// text libcprof writes with debug=1 (tests/record/run.sh).
package main

import (
	"io"
	"os"
	"text/tabwriter"
)

func main() {
	tw := tabwriter.NewWriter(os.Stdout, 1, 8, 1, '\t', 0)
	io.Copy(tw, os.Stdin)
	tw.Flush()
}
