package sim

import (
	"unicode/utf8"

	"tradein/agent"
)

// Field checks shared by the handlers. Each returns an INVALID_REQUEST
// error naming the field.

func invalid(format string, args ...any) error {
	return agent.Errorf(agent.CodeInvalidRequest, format, args...)
}

// checkRequestNo checks an idempotency key: 1..64 characters of
// [A-Za-z0-9_.:-].
func checkRequestNo(field, v string) error {
	if v == "" || len(v) > 64 {
		return invalid("%s must be 1..64 characters", field)
	}
	for _, c := range v {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':'
		if !ok {
			return invalid("%s has a character outside [A-Za-z0-9_.:-]", field)
		}
	}
	return nil
}

// checkText checks a required or optional free-text field's length in
// characters (Unicode code points), as sync/api/openapi.yaml's maxLength
// counts them: a reason of 200 Chinese characters is 600 bytes of UTF-8
// and is allowed.
func checkText(field, v string, required bool, max int) error {
	if required && v == "" {
		return invalid("%s is required", field)
	}
	if utf8.RuneCountInString(v) > max {
		return invalid("%s is longer than %d characters", field, max)
	}
	return nil
}

// checkKey checks an identifier such as an order number: required, 1..64
// printable ASCII characters without spaces.
func checkKey(field, v string) error {
	if v == "" || len(v) > 64 {
		return invalid("%s must be 1..64 characters", field)
	}
	for _, c := range v {
		if c <= ' ' || c > '~' {
			return invalid("%s must be printable ASCII without spaces", field)
		}
	}
	return nil
}

func checkBarcode(v string) error {
	if err := agent.ValidateGTIN(v); err != nil {
		return invalid("barcode: %v", err)
	}
	return nil
}

func checkSN(v string) error {
	if v == "" {
		return nil
	}
	if err := agent.ValidateSN(v); err != nil {
		return invalid("sn: %v", err)
	}
	return nil
}

func checkPositive(field string, v agent.Fen) error {
	if v <= 0 {
		return invalid("%s must be a positive amount of fen", field)
	}
	if v > agent.Yuan(10_000_000) {
		return invalid("%s is implausibly large", field)
	}
	return nil
}

var validConditions = map[string]bool{"GOOD": true, "WORN": true, "BROKEN": true}

func checkCondition(field, v string) error {
	if !validConditions[v] {
		return invalid("%s must be GOOD, WORN or BROKEN", field)
	}
	return nil
}
