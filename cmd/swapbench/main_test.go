package main

import (
	"testing"

	"go.uber.org/goleak"
)

// No command may leave a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
