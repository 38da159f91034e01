// Package dk validates and formats the identifiers a Danish bank meets every
// day: registration numbers (registreringsnumre) and the bank behind them
// (RULE PAY-2), IBANs for every country in the SWIFT IBAN registry, BIC/SWIFT
// codes, Luhn (modulus 10) check digits, and the code line of Danish payment
// slips (FIK/indbetalingskort +01, +04, +15, +71, +73, +75; RULE PAY-4).
//
// Every function is pure and uses only the standard library and the root
// netbank package. Errors meant for end users are *netbank.Error values with
// code netbank.EINVALID and a Danish message that says what is wrong.
//
// The reference data (registration numbers, IBAN formats) is embedded from
// regnr.csv and iban_registry.csv; README.md in this folder says where the
// data came from and how to update it.
package dk
