package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/netbank/netbank/audit"
)

// auditVerify walks the audit log's hash chain from the first entry to the
// head and prints a report: "audit log ok: N entries, chain intact" (exit
// 0), or one "AUDIT BROKEN: …" line per break, naming the entry (exit 1).
func auditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	a, err := openExisting(ctx, "netbank audit verify", "verify", args, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	head, err := a.DB.Audit().Verify(ctx)
	return reportAudit(stdout, head, err)
}

// reportAudit prints an audit chain verification: "audit log ok: …" with
// the head, or one "AUDIT BROKEN: …" line per break (exit 1).
func reportAudit(stdout io.Writer, head audit.Head, err error) error {
	var broken *audit.BrokenError
	if errors.As(err, &broken) {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(stdout, "AUDIT BROKEN: %s\n", line)
		}
		return exitError(1)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "audit log ok: %d entries, chain intact\n", head.Seq)
	// Noted down elsewhere, the head lets a later run prove that the
	// newest entries were not cut off and the head rewritten to match.
	fmt.Fprintf(stdout, "head: entry %d, hash %s\n", head.Seq, head.Hash)
	return nil
}
