package main

import (
	"testing"
	"time"
)

func TestParseFlagsCoversKnobs(t *testing.T) {
	o, err := parseFlags([]string{"--addr", "127.0.0.1:0", "--seed", "9", "--companies", "100", "--invoices", "1000",
		"--export-latency-min", "50ms", "--max-concurrent", "3", "--rate", "2.5", "--require-request-id=false",
		"--lockout", "0", "--token-ttl", "1h", "--captcha-ttl", "2m", "--legacy-addr", "127.0.0.1:0", "--error-share", "0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Seed != 9 || o.Companies != 100 || o.InvoicesPerMonth != 1000 || o.ExportLatency.Max != 50*time.Millisecond ||
		o.Limits.MaxConcurrent != 3 || o.Limits.RatePerSecond != 2.5 || o.RequireRequestID || o.LockoutThreshold != 0 ||
		o.TokenTTL != time.Hour || o.CaptchaTTL != 2*time.Minute || o.LegacyAddr == "" || o.Faults.ServerErrorShare != 0.1 {
		t.Fatalf("options %+v", o)
	}
	if _, err := parseFlags([]string{"--nope"}); err == nil {
		t.Fatal("unknown flag accepted")
	}
}
