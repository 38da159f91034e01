package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/payfile"
)

const convertUsage = `Usage: netbank convert --to <format> [--from <format>] [-o <out>] [<in>]

Converts a payment file between pain.001.001.03, pain.001.001.09 (XML),
BEC's ERH format and the bank's CSV format (RULE PAY-6). The input format
is detected unless --from names it. <in> and -o default to standard input
and output.

Lines that cannot be read, or that the target format cannot hold, are left
out and printed to standard error with their line number and the reason (in
Danish, as the net bank shows them); the other lines are converted. A
pain.001 file made from ERH or CSV gets the current time as its creation
time.

Exit status: 0 all lines converted, 1 some lines (or the whole file) could
not be converted, 2 wrong usage.

Formats: pain.001.001.03, pain.001.001.09, erh, csv

Flags:
`

// convertCmd runs `netbank convert` (see convertUsage). The clock gives
// the creation time of a pain.001 file made from a format without one.
func convertCmd(args []string, clock netbank.Clock, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("netbank convert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, convertUsage)
		fs.PrintDefaults()
	}
	to := fs.String("to", "", "format to write (required)")
	from := fs.String("from", "", "format of the input (default: detected)")
	out := fs.String("o", "", "file to write (default: standard output)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return exitError(2) // the flag package has printed the error and the usage
	}
	usageError := func(format string, a ...any) error {
		fmt.Fprintf(stderr, "netbank convert: "+format+"\n\n", a...)
		fs.Usage()
		return exitError(2)
	}
	toFormat, ok := formatNamed(*to)
	if !ok {
		if *to == "" {
			return usageError("--to is required")
		}
		return usageError("unknown format %q for --to", *to)
	}
	fromFormat, ok := formatNamed(*from)
	if *from != "" && !ok {
		return usageError("unknown format %q for --from", *from)
	}
	if fs.NArg() > 1 {
		return usageError("at most one input file, got %d", fs.NArg())
	}

	in, name := stdin, "standard input"
	if fs.NArg() == 1 && fs.Arg(0) != "-" {
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return err
		}
		defer f.Close()
		in, name = f, fs.Arg(0)
	}
	// One byte over the limit is enough for the converter to refuse it.
	data, err := io.ReadAll(io.LimitReader(in, payfile.MaxFileSize+1))
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}

	output, file, err := payfile.ConvertWith(data, toFormat, payfile.ConvertOptions{From: fromFormat, Now: clock.Now()})
	for _, e := range file.Errors {
		fmt.Fprintln(stderr, e.Error())
	}
	if err != nil {
		fmt.Fprintf(stderr, "netbank convert: %s\n", messageOf(err))
		return exitError(1)
	}
	if *out != "" {
		// Payment files name accounts: readable by the owner only.
		if err := os.WriteFile(*out, output, 0o600); err != nil {
			return err
		}
	} else if _, err := stdout.Write(output); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "netbank convert: %d payments converted from %s to %s", len(file.Lines), file.Format, toFormat)
	if len(file.Errors) > 0 {
		fmt.Fprintf(stderr, "; %d errors (see above)\n", len(file.Errors))
		return exitError(1)
	}
	fmt.Fprintln(stderr)
	return nil
}

// formatNamed returns the payment file format called name (any case).
func formatNamed(name string) (payfile.Format, bool) {
	for _, f := range payfile.Formats {
		if strings.EqualFold(name, string(f)) {
			return f, true
		}
	}
	return "", false
}

// messageOf is the message of a coded error (Danish, for the customer),
// or the error itself.
func messageOf(err error) string {
	var e *netbank.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}
