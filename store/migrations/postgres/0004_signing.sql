-- A signed document keeps the public key it was verified with, so the
-- proof still checks after the user changes the signature code (AUTH-6
-- replaces the key). Empty for key-card and key-app signatures.
ALTER TABLE signed_documents ADD COLUMN public_key TEXT NOT NULL DEFAULT '';
