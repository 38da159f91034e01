package audit

import (
	"errors"
	"fmt"
)

// Breakage says how a chain is broken.
type Breakage string

// The ways a chain can be broken.
const (
	// Changed: an entry's content no longer matches its hash, or it was
	// rewritten with a recomputed hash that the next entry (or the head)
	// does not record.
	Changed Breakage = "changed"
	// Missing: entries in the middle of the log are gone.
	Missing Breakage = "missing"
	// Removed: the newest entries are gone; the head records more.
	Removed Breakage = "removed"
	// OutOfOrder: an entry's number repeats or goes backwards.
	OutOfOrder Breakage = "out_of_order"
	// Unrecorded: entries beyond what the head records (the head was set
	// back, or entries were written behind the log's back).
	Unrecorded Breakage = "unrecorded"
	// HeadChanged: the head of an empty log is not the genesis head.
	HeadChanged Breakage = "head_changed"
)

// BrokenError is one break in the chain, naming the entry concerned.
type BrokenError struct {
	// Seq is the entry the problem is about (0 for the head of an empty log).
	Seq int64
	// Kind says how it is broken.
	Kind Breakage
	// Msg says it in a sentence for the operator, naming the entry.
	Msg string
}

// Error returns the sentence, e.g. "audit entry 17 has been changed (hash mismatch)".
func (e *BrokenError) Error() string { return e.Msg }

// maxProblems bounds how many breaks a Verifier keeps (one tampering can
// be reported once per entry after it only in pathological cases, but a
// wrecked log must not exhaust memory).
const maxProblems = 100

// Verifier checks a log streamed to it entry by entry, in sequence order,
// so a log of any size is verified in constant memory: Add each entry, then
// Finish with the head. The zero value is ready to use.
//
// It checks that the entries are numbered 1..n without gaps, that each
// entry's hash recomputes over its content, that each PrevHash is the hash
// of the entry before (GenesisHash for entry 1), and that the head records
// the last entry's number and hash. After a break it carries on from the
// entry it was given, so one pass reports every independent break.
type Verifier struct {
	last     int64  // Seq of the last entry accepted
	prev     string // its Hash ("" before the first: GenesisHash)
	count    int64
	problems []error
	more     int
	finished bool
}

func (v *Verifier) report(seq int64, kind Breakage, format string, args ...any) *BrokenError {
	p := &BrokenError{Seq: seq, Kind: kind, Msg: fmt.Sprintf(format, args...)}
	if len(v.problems) < maxProblems {
		v.problems = append(v.problems, p)
	} else {
		v.more++
	}
	return p
}

// Add checks the next entry. It returns the breaks this entry reveals (a
// *BrokenError, or several joined), or nil. Breaks are also kept for Finish.
func (v *Verifier) Add(e Entry) error {
	if v.finished {
		return errors.New("audit: Add after Finish")
	}
	prev := v.prev
	if prev == "" {
		prev = GenesisHash
	}
	v.count++
	want := v.last + 1
	if e.Seq < want {
		return v.report(e.Seq, OutOfOrder, "audit entry %d appears out of order (after entry %d)", e.Seq, v.last)
	}
	var found []error
	gap := e.Seq > want
	if gap {
		if e.Seq == want+1 {
			found = append(found, v.report(want, Missing, "audit entry %d is missing", want))
		} else {
			found = append(found, v.report(want, Missing, "audit entries %d to %d are missing", want, e.Seq-1))
		}
	}
	selfConsistent := Hash(e.PrevHash, e) == e.Hash
	linked := e.PrevHash == prev
	switch {
	case !selfConsistent && (linked || gap):
		found = append(found, v.report(e.Seq, Changed, "audit entry %d has been changed (hash mismatch)", e.Seq))
	case !selfConsistent:
		found = append(found, v.report(e.Seq, Changed,
			"audit entry %d has been changed (hash mismatch; its prev hash does not match entry %d either)", e.Seq, e.Seq-1))
	case gap || linked:
		// A gap already explains a broken link.
	case e.Seq == 1:
		found = append(found, v.report(1, Changed, "audit entry 1 has been changed (it does not start from the genesis hash)"))
	default:
		// e is intact in itself but records another hash for its
		// predecessor: the predecessor was rewritten and rehashed.
		found = append(found, v.report(e.Seq-1, Changed,
			"audit entry %d has been changed (its hash was recomputed, but entry %d records a different one)", e.Seq-1, e.Seq))
	}
	v.last, v.prev = e.Seq, e.Hash
	return errors.Join(found...)
}

// Finish checks the end of the log against the head and returns every
// break found (joined; errors.As finds the first *BrokenError), or nil for
// an intact log. Call it once, after the last Add.
func (v *Verifier) Finish(head Head) error {
	if !v.finished {
		v.finished = true
		tip := v.prev
		if tip == "" {
			tip = GenesisHash
		}
		switch {
		case head.Seq > v.last:
			if v.last == 0 {
				v.report(1, Removed, "all audit entries have been removed (the head records %d)", head.Seq)
			} else {
				v.report(v.last+1, Removed, "the newest entries after %d have been removed (the head records %d entries)", v.last, head.Seq)
			}
		case head.Seq < v.last:
			v.report(head.Seq+1, Unrecorded,
				"audit entry %d is not recorded in the head (the head records %d entries): the head has been set back or entries were written behind the log's back",
				head.Seq+1, head.Seq)
		case head.Hash == tip:
		case v.last == 0:
			v.report(0, HeadChanged, "the audit head has been changed (an empty log starts from the genesis hash)")
		default:
			v.report(v.last, Changed, "audit entry %d has been changed, or the head (the head records a different hash for it)", v.last)
		}
		if v.more > 0 {
			v.problems = append(v.problems, fmt.Errorf("and %d more breaks in the audit log", v.more))
		}
	}
	return errors.Join(v.problems...)
}

// Count returns how many entries have been added.
func (v *Verifier) Count() int64 { return v.count }

// Verify checks a whole log held in memory against its head (see Verifier).
func Verify(entries []Entry, head Head) error {
	var v Verifier
	for _, e := range entries {
		_ = v.Add(e)
	}
	return v.Finish(head)
}
