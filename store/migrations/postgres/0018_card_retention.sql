-- Retention of card data (package card, jobs.go; RULE CARD-20 and data
-- minimisation): the jobs delete authorizations, Visa Secure
-- authentications, SMS and decided disputes after the current year + 5
-- years, blank the code and CAVV hashes of finished authentications,
-- remove the one-time code from a Visa Secure SMS's text once the code
-- expired (redacted_at: when; 0 not yet) and delete SMS after 30 days.
-- The indexes let each job find its oldest rows without a scan. Times
-- are Unix microseconds.
ALTER TABLE sms_outbox ADD COLUMN redacted_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX sms_outbox_redact ON sms_outbox (purpose, redacted_at, created_at);
CREATE INDEX visa_secure_authentications_created ON visa_secure_authentications (created_at);
CREATE INDEX card_disputes_updated ON card_disputes (status, updated_at);
