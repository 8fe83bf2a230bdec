package hoadon_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hoadon/hoadon/shared/hoadon"
)

func TestValidateMST(t *testing.T) {
	for _, tc := range []struct {
		mst string
		ok  bool
	}{
		{"0100109106", true},      // check digit 6
		{"0100520429", true},      // check digit 9
		{"0100520429-001", true},  // branch
		{"0100520429-000", false}, // suffix 000 is never issued
		{"0100109107", false},     // wrong check digit
		{"010010910", false},      // 9 digits
		{"001203012345", true},    // 12-digit personal id
		{"01001O9106", false},     // letter O
		{"", false},
	} {
		err := hoadon.ValidateMST(tc.mst)
		if (err == nil) != tc.ok {
			t.Errorf("ValidateMST(%q) = %v, want ok=%v", tc.mst, err, tc.ok)
		}
		if err != nil && hoadon.ErrorCode(err) != hoadon.CodeInvalid {
			t.Errorf("ValidateMST(%q) code = %s, want invalid", tc.mst, hoadon.ErrorCode(err))
		}
	}
}

func TestMSTCheckDigitRejectsRemainderZero(t *testing.T) {
	// 31*1+29*1 = 60; find a prefix whose weighted sum is divisible by 11.
	found := false
	for n := 0; n < 1000 && !found; n++ {
		p := fmt.Sprintf("%09d", n)
		if hoadon.MSTCheckDigit(p) == -1 {
			found = true
		}
	}
	if !found {
		t.Fatal("no prefix with remainder 0 among the first 1000; the -1 branch is unreachable")
	}
}

func TestParseFlows(t *testing.T) {
	got, err := hoadon.ParseFlows(nil)
	if err != nil || len(got) != 4 {
		t.Fatalf("ParseFlows(nil) = %v, %v; want all four", got, err)
	}
	got, err = hoadon.ParseFlows([]string{"mua_vao_dien_tu", "mua_vao_dien_tu", " ban_ra_dien_tu"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]hoadon.Flow{hoadon.FlowPurchaseEInvoice, hoadon.FlowSoldEInvoice}, got); diff != "" {
		t.Errorf("ParseFlows (-want +got):\n%s", diff)
	}
	if _, err := hoadon.ParseFlows([]string{"sold"}); hoadon.ErrorCode(err) != hoadon.CodeInvalid {
		t.Errorf("unknown flow: err = %v, want invalid", err)
	}
}

func TestFlowMapping(t *testing.T) {
	for _, f := range hoadon.AllFlows {
		if back := hoadon.FlowFor(f.Direction(), f.Family()); back != f {
			t.Errorf("FlowFor(%s, %s) = %s, want %s", f.Direction(), f.Family(), back, f)
		}
	}
	if hoadon.FlowPurchaseCashRegister.Family() != hoadon.FamilyCashRegister || hoadon.FlowSoldEInvoice.Direction() != hoadon.Sold {
		t.Error("flow attributes wrong")
	}
}

func TestInvoiceKeyRoundTrip(t *testing.T) {
	k := hoadon.InvoiceKey{NBMST: "0100109106", KHMSHDon: 1, KHHDon: "C26TAA", SHDon: 42}
	if got := k.String(); got != "0100109106_1_C26TAA_42" {
		t.Errorf("String = %q", got)
	}
	back, err := hoadon.ParseInvoiceKey(k.String())
	if err != nil || back != k {
		t.Errorf("ParseInvoiceKey = %+v, %v", back, err)
	}
	if k.ID("0100109106", hoadon.Sold) == k.ID("0100109106", hoadon.Purchase) {
		t.Error("ID must differ by direction")
	}
	for _, bad := range []string{"a_b_c", "x_1_C26TAA_y", "0100109106_0_C26TAA_1", "0100109106_1__1"} {
		if _, err := hoadon.ParseInvoiceKey(bad); err == nil {
			t.Errorf("ParseInvoiceKey(%q) accepted", bad)
		}
	}
}

func TestMonthWindows(t *testing.T) {
	d := func(s string) hoadon.Date {
		v, err := hoadon.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	got := hoadon.MonthWindows(d("2026-01-15"), d("2026-03-02"))
	var s []string
	for _, w := range got {
		s = append(s, w.String())
	}
	want := []string{"2026-01-15..2026-01-31", "2026-02-01..2026-02-28", "2026-03-01..2026-03-02"}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("MonthWindows (-want +got):\n%s", diff)
	}
	if got := hoadon.MonthWindows(d("2026-03-02"), d("2026-03-01")); len(got) != 0 {
		t.Errorf("reversed range gave %v", got)
	}
	if _, err := hoadon.ParseDate("2026-02-30"); err == nil {
		t.Error("ParseDate accepted 2026-02-30")
	}
}

func TestDateOfUsesVietnamTime(t *testing.T) {
	// The portal's tdlap 17:00Z is midnight of the next day in Vietnam.
	ts := time.Date(2026, 3, 4, 17, 0, 0, 0, time.UTC)
	if got := hoadon.DateOf(ts).String(); got != "2026-03-05" {
		t.Errorf("DateOf(%v) = %s, want 2026-03-05", ts, got)
	}
}

func TestErrorClassification(t *testing.T) {
	base := hoadon.Errorf(hoadon.CodeRateLimited, "list: %w", errors.New("429"))
	base.RetryAfter = 30 * time.Second
	wrapped := fmt.Errorf("discover: %w", base)
	if hoadon.ErrorCode(wrapped) != hoadon.CodeRateLimited || !hoadon.Retryable(wrapped) {
		t.Errorf("wrapped rate limit lost its class: %v", wrapped)
	}
	if hoadon.ErrorRetryAfter(wrapped) != 30*time.Second {
		t.Errorf("RetryAfter = %v", hoadon.ErrorRetryAfter(wrapped))
	}
	if got := hoadon.Errorf(hoadon.CodeInvalid, "op: %w", errors.New("cause")).Error(); got != "invalid: op: cause" {
		t.Errorf("Error() = %q, want the cause once", got)
	}
	if errors.Unwrap(base) == nil {
		t.Error("Errorf with %w must keep the cause")
	}
	for code, want := range map[hoadon.Code]bool{
		hoadon.CodeBadCredentials: false, hoadon.CodeLocked: false, hoadon.CodeNoDossier: false,
		hoadon.CodeTransient: true, hoadon.CodeSessionExpired: true, hoadon.CodeWrongCaptcha: true,
	} {
		if got := hoadon.Retryable(&hoadon.Error{Code: code}); got != want {
			t.Errorf("Retryable(%s) = %v, want %v", code, got, want)
		}
	}
	if hoadon.ErrorCode(errors.New("x")) != hoadon.CodeInternal {
		t.Error("unclassified error must be internal")
	}
	if hoadon.HTTPStatus(hoadon.CodeRateLimited) != http.StatusTooManyRequests || hoadon.HTTPStatus(hoadon.CodeInvalid) != http.StatusBadRequest {
		t.Error("HTTPStatus mapping wrong")
	}
	if hoadon.Wrap(hoadon.CodeTransient, nil, "x") != nil {
		t.Error("Wrap(nil) must be nil")
	}
}

// Ensure ErrorMessage renders a chain for people: outer context kept,
// codes and Go identifiers dropped, causes kept unless log-only.
func TestErrorMessageForUsers(t *testing.T) {
	inner := hoadon.Wrap(hoadon.CodeBadData, errors.New("not well-formed XML: unexpected EOF"), "unreadable invoice XML")
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{errors.New("plain"), "plain"},
		{inner, "unreadable invoice XML: not well-formed XML: unexpected EOF"},
		{fmt.Errorf("a.xml: %w", inner), "a.xml: unreadable invoice XML: not well-formed XML: unexpected EOF"},
		{fmt.Errorf("gdt.Login: gdt.Authenticate: %w", hoadon.Errorf(hoadon.CodeBadCredentials, "portal refused the password")), "portal refused the password"},
		{hoadon.Wrap(hoadon.CodeBadData, fmt.Errorf("einvoice.Parse: %w", inner), ""), "unreadable invoice XML: not well-formed XML: unexpected EOF"},
		{hoadon.Errorf(hoadon.CodeInvalid, "task_params: %w", inner), "task_params: unreadable invoice XML: not well-formed XML: unexpected EOF"},
		{&hoadon.Error{Code: hoadon.CodeBadData, Message: "try again", Err: logOnly{}}, "try again"},
	}
	for _, tc := range tests {
		if got := hoadon.ErrorMessage(tc.err); got != tc.want {
			t.Errorf("ErrorMessage(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

type logOnly struct{}

func (logOnly) Error() string { return "signature MQZ (developer hint)" }
func (logOnly) LogOnly()      {}
