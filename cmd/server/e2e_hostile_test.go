package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
	"cloud.google.com/go/storage"
	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/api/iterator"

	fsemu "github.com/hoadon/hoadon/emulators/firestore"
	"github.com/hoadon/hoadon/shared/auth"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// hostile is one request an attacker or a broken client sends, and the
// status it must get.
type hostile struct {
	name   string
	method string
	path   string
	body   any      // string: sent as is; nil: none
	hdr    []string // name, value pairs; "X-API-Key", "" sends no key
	want   int
}

// TestHostileInput sends every hostile request to the server (auth on) and
// checks each one's status and that it created or changed nothing: the
// imports, schedules and stored credentials in Firestore and the objects in
// the bucket are the same before and after each case.
func TestHostileInput(t *testing.T) {
	ctx := context.Background()
	fs, err := fsemu.NewClient(ctx, h.Stack.Firestore().Host(), h.Env["HOADON_PROJECT"])
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	gcs, err := storage.NewClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer gcs.Close()
	matrix, absent := crossTenantCases(t) // first: it waits for an import, the internal calls' tokens live a minute
	cases := append(hostileCases(t, fs), matrix...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := snapshot(t, fs, gcs)
			code, _, raw := h.Call(t, c.method, c.path, c.body, c.hdr...)
			if code != c.want {
				t.Errorf("%s %s = %d %.300s; want %d", c.method, c.path, code, raw, c.want)
			}
			if id := absent[c.name]; id != "" && strings.Contains(raw, id) {
				t.Errorf("%s %s shows another tenant's %s: %.300s", c.method, c.path, id, raw)
			}
			if code >= 500 {
				t.Errorf("server error: %.300s", raw)
			}
			if after := snapshot(t, fs, gcs); after != before {
				t.Errorf("state changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	t.Logf("hostile cases: %d (cross-tenant matrix: %d)", len(cases), len(matrix))
	fmt.Printf("hostile input suite: %d cases, cross-tenant matrix %d\n", len(cases), len(matrix))
}

// snapshot describes what a hostile request must not touch: every import
// (id, state, update time), schedule, stored credential, subscription and
// API key (id, update time), and every object name in the bucket.
func snapshot(t *testing.T, fs *firestore.Client, gcs *storage.Client) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, col := range []string{"imports", "schedules", "credentials", "subscriptions", "apikeys"} {
		// Collection groups: schedules, credentials and subscriptions live
		// under tenants/{t}/.
		docs, err := fs.CollectionGroup(col).Documents(ctx).GetAll()
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s:%d", col, len(docs))
		for _, d := range docs {
			fmt.Fprintf(&b, " %s@%d", d.Ref.ID, d.UpdateTime.UnixNano())
		}
		b.WriteString("; ")
	}
	it := gcs.Bucket(h.Env["HOADON_BUCKET"]).Objects(ctx, nil)
	n := 0
	for {
		o, err := it.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		fmt.Fprintf(&b, "%s@%d ", o.Name, o.Generation)
	}
	return fmt.Sprintf("objects:%d %s", n, b.String())
}

const unknownID = "6b1d3e0c-9a4f-4c47-8d52-0e7f1a2b3c4d"

func hostileCases(t *testing.T, fs *firestore.Client) []hostile {
	t.Helper()
	sim := h.Stack.GDT()
	c := sim.Companies()[2]
	start := func(params map[string]any) map[string]any {
		p := map[string]any{"company_id": c.MST, "credentials": map[string]string{"username": c.MST, "password": c.Password},
			"date_range_start": from, "date_range_end": to}
		for k, v := range params {
			if v == nil {
				delete(p, k)
			} else {
				p[k] = v
			}
		}
		return map[string]any{"task_type": "gdt_invoice_import", "task_params": p}
	}
	bad := func(name string, params map[string]any) hostile {
		return hostile{name, "POST", "/api/tasks/start", start(params), nil, 400}
	}
	valid := `{"task_type":"gdt_invoice_import","task_params":{"company_id":"` + c.MST + `","credentials":{"username":"u","password":"p"}`
	raw := func(name, body string, hdr ...string) hostile {
		return hostile{name, "POST", "/api/tasks/start", body, hdr, 400}
	}
	sched := func(name string, mut func(map[string]any)) hostile {
		b := map[string]any{"schedule_id": "hostile-ok", "task_type": "gdt_invoice_import", "hour": 3, "minute": 0,
			"task_params": map[string]any{"company_id": c.MST, "credentials": map[string]string{"username": c.MST, "password": c.Password}}}
		mut(b)
		return hostile{name, "POST", "/api/schedules/create", b, nil, 400}
	}
	cases := []hostile{
		// Bodies: size, depth, syntax, types, names.
		raw("oversized body", valid+`,"company_name":"`+strings.Repeat("x", 70<<10)+`"}}`),
		raw("deeply nested", strings.Repeat(`{"task_type":`, 5000)+`"x"`+strings.Repeat("}", 5000)),
		raw("nested arrays", `{"task_type":"gdt_invoice_import","task_params":{"flows":`+strings.Repeat("[", 3000)+strings.Repeat("]", 3000)+`}}`),
		raw("duplicate task_type", `{"task_type":"nonsense","task_type":"gdt_invoice_import","task_params":{}}`),
		raw("duplicate company_id", valid+`,"company_id":"0100109106"}}`),
		raw("duplicate password", `{"task_type":"gdt_invoice_import","task_params":{"company_id":"`+c.MST+`","credentials":{"username":"u","password":"a","password":"b"}}}`),
		raw("case-folded name", `{"Task_Type":"gdt_invoice_import","task_params":{}}`),
		raw("case-folded nested name", `{"task_type":"gdt_invoice_import","task_params":{"COMPANY_ID":"`+c.MST+`"}}`),
		raw("unknown field", valid+`,"tenant":"other"}}`),
		raw("unknown top-level field", `{"task_type":"gdt_invoice_import","admin":true,"task_params":{}}`),
		raw("trailing data", valid+`}} {"task_type":"x"}`),
		raw("array body", `[`+valid+`}}]`),
		raw("string body", `"gdt_invoice_import"`),
		raw("empty body", ``),
		raw("cut short", valid),
		raw("invalid UTF-8", "{\"task_type\":\"gdt_invoice_import\xff\",\"task_params\":{}}"),
		raw("lone surrogate", `{"task_type":"gdt_invoice_import\ud800","task_params":{}}`),
		raw("text/plain", valid+`}}`, "Content-Type", "text/plain"),
		bad("company_id a number", map[string]any{"company_id": 101234567}),
		bad("force a string", map[string]any{"force": "yes"}),
		bad("flows a string", map[string]any{"flows": "sold"}),
		bad("credentials a string", map[string]any{"credentials": "u:p"}),
		bad("date a number", map[string]any{"date_range_start": 20260901}),
		// Tax codes: unicode tricks and path characters.
		bad("fullwidth digits", map[string]any{"company_id": "０１０１２３４５６７"}),
		bad("arabic-indic digits", map[string]any{"company_id": "٠١٠١٢٣٤٥٦٧"}),
		bad("RTL override", map[string]any{"company_id": "\u202e" + c.MST}),
		bad("zero-width space", map[string]any{"company_id": c.MST + "\u200b"}),
		bad("NUL", map[string]any{"company_id": c.MST + "\x00"}),
		bad("dot-dot", map[string]any{"company_id": "../" + c.MST}),
		bad("slash", map[string]any{"company_id": c.MST + "/x"}),
		bad("encoded slash", map[string]any{"company_id": c.MST + "%2F.."}),
		bad("reserved id", map[string]any{"company_id": "__" + c.MST + "__"}),
		bad("wrong check digit", map[string]any{"company_id": c.MST[:9] + string('0'+(c.MST[9]-'0'+1)%10)}),
		bad("branch suffix without dash", map[string]any{"company_id": c.MST + "001"}),
		// Dates.
		bad("reversed range", map[string]any{"date_range_start": to, "date_range_end": from}),
		bad("ten thousand years", map[string]any{"date_range_start": "0001-01-01", "date_range_end": "9999-12-31"}),
		bad("no such day", map[string]any{"date_range_start": "2026-02-30", "date_range_end": "2026-03-01"}),
		bad("timestamp", map[string]any{"date_range_start": "2026-09-01T00:00:00Z", "date_range_end": to}),
		bad("start only", map[string]any{"date_range_end": nil}),
		bad("future", map[string]any{"date_range_start": "2099-01-01", "date_range_end": "2099-01-31"}),
		// Other parameters.
		bad("unknown flow", map[string]any{"flows": []string{"sold", "../purchase"}}),
		bad("no credentials", map[string]any{"credentials": nil}),
		{"unknown task type", "POST", "/api/tasks/start", `{"task_type":"../../admin","task_params":{"company_id":"` + c.MST + `","credentials":{"username":"u","password":"p"}}}`, nil, 400},
		{"Idempotency-Key too long", "POST", "/api/tasks/start", start(nil), []string{"Idempotency-Key", strings.Repeat("k", 300)}, 400},
		// Ids in paths.
		{"reserved task id", "GET", "/api/tasks/__x__/status", nil, nil, 400},
		{"reserved task id cancel", "POST", "/api/tasks/__name__/cancel", nil, nil, 400},
		{"reserved task id invoices", "GET", "/api/tasks/__x__/invoices", nil, nil, 400},
		{"reserved task id events", "GET", "/api/tasks/__x__/events", nil, nil, 400},
		{"encoded slash in task id", "GET", "/api/tasks/imports%2F" + unknownID + "/status", nil, nil, 400},
		{"encoded dot-dot in task id", "POST", "/api/tasks/%2E%2E%2Fapikeys/cancel", nil, nil, 400},
		{"NUL in task id", "GET", "/api/tasks/a%00b/status", nil, nil, 400},
		{"RTL mark in task id", "GET", "/api/tasks/%E2%80%AE" + unknownID + "/status", nil, nil, 400},
		{"overlong UTF-8 slash in task id", "GET", "/api/tasks/a%C0%AFb/status", nil, nil, 400},
		{"long task id", "GET", "/api/tasks/" + strings.Repeat("a", 200) + "/status", nil, nil, 400},
		{"unknown task id", "GET", "/api/tasks/" + unknownID + "/status", nil, nil, 404},
		{"cancel unknown task", "POST", "/api/tasks/" + unknownID + "/cancel", nil, nil, 404},
		{"reserved company in list", "GET", "/api/tasks?company_id=__x__", nil, nil, 400},
		{"dot-dot company in list", "GET", "/api/tasks?company_id=..%2F" + c.MST, nil, nil, 400},
		{"absurd limit", "GET", "/api/tasks?limit=99999999999999999999", nil, nil, 400},
		{"negative limit", "GET", "/api/tasks?limit=-1", nil, nil, 400},
		// Schedules.
		sched("reserved schedule id", func(b map[string]any) { b["schedule_id"] = "__x__" }),
		sched("dot-dot schedule id", func(b map[string]any) { b["schedule_id"] = "../x" }),
		sched("RTL schedule id", func(b map[string]any) { b["schedule_id"] = "daily\u202e" }),
		sched("hour 25", func(b map[string]any) { b["hour"] = 25 }),
		sched("minute a string", func(b map[string]any) { b["minute"] = "0" }),
		sched("schedule with dates", func(b map[string]any) {
			b["task_params"].(map[string]any)["date_range_start"] = from
		}),
		sched("schedule unknown field", func(b map[string]any) { b["cron"] = "* * * * *" }),
		sched("schedule homoglyph tax code", func(b map[string]any) {
			b["task_params"].(map[string]any)["company_id"] = "О" + c.MST[1:] // Cyrillic O
		}),
		{"schedule duplicate id", "POST", "/api/schedules/create", `{"schedule_id":"a","schedule_id":"b","task_type":"gdt_invoice_import","task_params":{}}`, nil, 400},
		{"reserved schedule get", "GET", "/api/schedules/__x__", nil, nil, 400},
		{"reserved schedule delete", "DELETE", "/api/schedules/__x__", nil, nil, 400},
		{"reserved schedule pause", "POST", "/api/schedules/__x__/pause", nil, nil, 400},
		{"encoded slash schedule trigger", "POST", "/api/schedules/a%2F..%2Fb/trigger", nil, nil, 400},
		{"unknown schedule trigger", "POST", "/api/schedules/no-such-schedule/trigger", nil, nil, 404},
		{"unknown schedule delete", "DELETE", "/api/schedules/no-such-schedule", nil, nil, 404},
	}
	return append(cases, keyCases(t, fs, start(nil))...)
}

// keyCases: requests without a usable API key, to the API and to the
// internal functions, and internal calls with bad tokens or bad ids.
func keyCases(t *testing.T, fs *firestore.Client, body map[string]any) []hostile {
	t.Helper()
	ctx := context.Background()
	keys := auth.NewKeys(fs)
	revoked, rec, err := keys.Create(ctx, "hostile-revoked", hoadon.AdminOf(hoadon.DefaultTenant))
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.Revoke(ctx, rec.ID); err != nil {
		t.Fatal(err)
	}
	iss := h.Stack.Workflows().Issuer()
	wf := h.Stack.Workflows().ServiceAccountEmail()
	token := func(aud, email string) string {
		tok, err := iss.Token(aud, email, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return "Bearer " + tok
	}
	own := func(fn string) string { return token(h.URL+"/"+fn, wf) }
	forged := forgedToken(t, iss.URL(), h.URL+"/login", wf, time.Now().Add(time.Hour))
	expired, err := iss.TokenAt(h.URL+"/login", wf, time.Now().Add(-2*time.Hour), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	noKey := []string{"X-API-Key", ""}
	call := func(name, fn string, b any, want int, hdr ...string) hostile {
		return hostile{name, "POST", "/" + fn, b, append([]string{"X-API-Key", ""}, hdr...), want}
	}
	return []hostile{
		{"no API key", "POST", "/api/tasks/start", body, noKey, 401},
		{"no API key list", "GET", "/api/tasks", nil, noKey, 401},
		{"unknown API key", "POST", "/api/tasks/start", body, []string{"X-API-Key", "hd_" + strings.Repeat("a", 32)}, 401},
		{"revoked API key", "POST", "/api/tasks/start", body, []string{"X-API-Key", revoked}, 401},
		{"revoked API key schedule", "POST", "/api/schedules/create", body, []string{"X-API-Key", revoked}, 401},
		{"malformed API key", "GET", "/api/tasks", nil, []string{"X-API-Key", "' OR 1=1 --"}, 401},
		{"huge API key", "GET", "/api/tasks", nil, []string{"X-API-Key", "hd_" + strings.Repeat("a", 8000)}, 401},
		{"workflow token to the API", "POST", "/api/tasks/start", body, []string{"X-API-Key", "", "Authorization", own("login")}, 401},
		call("login without token", "login", map[string]string{"import_id": unknownID}, 401),
		call("login with an API key", "login", map[string]string{"import_id": unknownID}, 401, "X-API-Key", h.Env["HOADON_API_KEY"]),
		call("login with a forged token", "login", map[string]string{"import_id": unknownID}, 401, "Authorization", forged),
		call("login with an expired token", "login", map[string]string{"import_id": unknownID}, 401, "Authorization", "Bearer "+expired),
		call("login with download's token", "login", map[string]string{"import_id": unknownID}, 401, "Authorization", own("download")),
		call("login with the base URL's token", "login", map[string]string{"import_id": unknownID}, 401, "Authorization", token(h.URL, wf)),
		call("login with another principal", "login", map[string]string{"import_id": unknownID}, 401, "Authorization", token(h.URL+"/login", "intruder@evil.example")),
		call("finalize with login's token", "finalize", map[string]string{"import_id": unknownID}, 401, "Authorization", own("login")),
		call("download with deliver's token", "download", map[string]string{"import_id": unknownID, "invoice_id": "x"}, 401, "Authorization", own("deliver")),
		call("fail without token", "fail", map[string]string{"import_id": unknownID, "code": "internal", "reason": "x"}, 401),
		call("schedtick without token", "schedtick", "{}", 401),
		call("login reserved id", "login", map[string]string{"import_id": "__x__"}, 400, "Authorization", own("login")),
		call("login dot-dot id", "login", map[string]string{"import_id": "../apikeys"}, 400, "Authorization", own("login")),
		call("finalize slash id", "finalize", map[string]string{"import_id": "imports/" + unknownID}, 400, "Authorization", own("finalize")),
		call("status duplicate id", "status", `{"import_id":"`+unknownID+`","import_id":"__x__"}`, 400, "Authorization", own("status")),
		call("fail unknown field", "fail", `{"import_id":"`+unknownID+`","code":"x","reason":"y","state":"completed"}`, 400, "Authorization", own("fail")),
		call("download reserved invoice id", "download", map[string]string{"import_id": unknownID, "invoice_id": "__x__"}, 400, "Authorization", own("download")),
		call("deliver dot-dot event id", "deliver", map[string]string{"event_id": "..", "subscriber": "x"}, 400, "Authorization", own("deliver")),
		call("discover NUL id", "discover", map[string]any{"import_id": "a\x00b", "window": map[string]string{}}, 400, "Authorization", own("discover")),
	}
}

// forgedToken is an ID token with the right claims signed by a key the
// issuer never had.
func forgedToken(t *testing.T, issuer, aud, email string, exp time.Time) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"iss": issuer, "aud": aud, "email": email,
		"email_verified": true, "sub": email, "iat": time.Now().Unix(), "exp": exp.Unix()})
	tok.Header["kid"] = h.Stack.Workflows().Issuer().KeyID()
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + s
}
