// Package exit maps failures to the exit codes of SPEC §7.
package exit

import "errors"

// The exit codes every command returns.
const (
	OK     = 0 // success
	Failed = 1 // the run failed (leak, stale input, engine error, ...)
	Usage  = 2 // usage or configuration error
	Input  = 3 // input validation failed
	Locked = 4 // another run holds the output lock
)

// Error carries the exit code a failure maps to.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// With wraps err so that Code(err) reports code. A nil err stays nil.
func With(code int, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Err: err}
}

// Code returns the exit code for err: OK for nil, the innermost wrapped code,
// or Failed for an unclassified error.
func Code(err error) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Failed
}
