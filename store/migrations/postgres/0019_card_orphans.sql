-- The card transfers by creation time (package card, recover.go): the
-- authorization engine's recovery of the money of a 0100 or 0200 whose
-- decision was never stored (the process died between the ledger's commit
-- and the decision's) reads the card transfers of the last minutes with
-- it. Partial: only card transfers pay for it (see 0001 on indexes of the
-- append-only tables); the query repeats its WHERE clause exactly, as
-- both engines need to use a partial index.
CREATE INDEX ledger_transfers_card_created ON ledger_transfers (created_at)
    WHERE code IN ('card', 'card_cash', 'card_refund');
