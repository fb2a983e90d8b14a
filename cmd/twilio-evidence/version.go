package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/pflag"
)

// Set at build time with -ldflags "-X main.version=… -X main.commit=… -X main.date=…".
var (
	version = "0.1.0-dev"
	commit  = ""
	date    = ""
)

// buildCommit is the commit the binary was built from, from the flags or
// from the Go build information.
func buildCommit() (string, string) {
	c, d := commit, date
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && c == "":
				c = s.Value
			case s.Key == "vcs.time" && d == "":
				d = s.Value
			}
		}
	}
	return c, d
}

func versionString() string {
	c, d := buildCommit()
	if c == "" {
		c = "unknown"
	}
	if d == "" {
		d = "unknown"
	}
	return fmt.Sprintf("twilio-evidence %s (commit %.12s, built %s, %s %s/%s)", version, c, d, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// runVersionCmd is `twilio-evidence version`: it takes no flags but --help.
func runVersionCmd(args []string, s streams) error {
	fs := pflag.NewFlagSet("version", pflag.ContinueOnError)
	if done, err := parseFlags("version", fs, args, s); done || err != nil {
		return err
	}
	fmt.Fprintln(s.out, versionString())
	return nil
}
