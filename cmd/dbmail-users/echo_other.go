//go:build !linux

package main

import "io"

// noEcho cannot switch echo off on this platform; the password is read
// with echo.
func noEcho(io.Reader) func() { return func() {} }
