// Command exits prints its first argument on stdout and its second on
// stderr, and exits with the status its third names: what testkit's tests
// run.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	fmt.Fprint(os.Stdout, os.Args[1])
	fmt.Fprint(os.Stderr, os.Args[2])
	code, _ := strconv.Atoi(os.Args[3])
	os.Exit(code)
}
