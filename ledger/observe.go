package ledger

// BatchObserver is told about every batch the group commit commits, so an
// operator can watch transfers per second and how many transfers share a
// database transaction (package metrics implements it; the ledger needs
// nothing back). BatchCommitted runs on the committer after the commit,
// before the callers get their answers, so it must be quick and must not
// call the ledger.
type BatchObserver interface {
	// BatchCommitted reports a committed batch and how many transfers it
	// wrote (the chains that failed validation are not counted).
	BatchCommitted(transfers int)
}

// observeBatch tells Config.Observer about a committed batch.
func (s *Service) observeBatch(transfers int64) {
	if s.cfg.Observer != nil {
		s.cfg.Observer.BatchCommitted(int(transfers))
	}
}
