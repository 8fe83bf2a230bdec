package sink

import (
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/httpsig"
	"github.com/hoadon/hoadon/shared/settings"
)

// Environment variables read by ConfigFromEnv (README.md has the table).
const (
	// EnvKeys lists the verifying keys: comma-separated keyid=alg:material,
	// alg "ed25519" (PEM public key, or base64 of the 32-byte raw key) or
	// "hmac-sha256" (base64 shared secret, at least 32 bytes). Required.
	EnvKeys = "HOADON_SINK_KEYS"
	// EnvMaxAge is the oldest acceptable signature "created", a Go
	// duration; default 5m.
	EnvMaxAge = "HOADON_SINK_MAX_AGE"
	// EnvTrustForwardedProto takes the scheme of @target-uri from
	// X-Forwarded-Proto ("true" behind Cloud Run's TLS front end); default false.
	EnvTrustForwardedProto = "HOADON_SINK_TRUST_FORWARDED_PROTO"
	// EnvURL pins the URL signatures must be made for (the subscriber URL
	// as registered); default: rebuilt from each request.
	EnvURL = "HOADON_SINK_URL"
)

// Settings documents the variables ConfigFromEnv reads, for the list of
// every setting (shared/config).
var Settings = []settings.Setting{
	{Name: EnvKeys, Component: "sink", Help: "verifying keys of the event sink, comma-separated keyid=alg:material (alg ed25519 or hmac-sha256); required by eventsink, which cmd/server mounts only when it is set"},
	{Name: EnvMaxAge, Component: "sink", Default: DefaultMaxAge.String(), Help: "oldest acceptable signature of an event (Go duration, at most 24h)"},
	{Name: EnvTrustForwardedProto, Component: "sink", Default: "false", Help: "take the scheme of the signed URL from X-Forwarded-Proto (true behind Cloud Run's TLS front end)"},
	{Name: EnvURL, Component: "sink", Help: "the only URL signatures may be made for (the subscriber URL as registered); default: rebuilt from each request"},
}

// DefaultMaxAge is the default signature age limit, the same as the
// sender's default expiry.
const DefaultMaxAge = httpsig.DefaultMaxAge

// maxMaxAge caps HOADON_SINK_MAX_AGE: a longer window makes captured
// requests replayable for longer and keeps more nonces.
const maxMaxAge = 24 * time.Hour

// Config is what a sink needs besides its Firestore client.
type Config struct {
	// Keys are the verifying keys by key id (Ed25519 public keys or HMAC
	// secrets). At least one is required.
	Keys httpsig.StaticKeys
	// MaxAge is the oldest acceptable signature; 0 means DefaultMaxAge.
	MaxAge time.Duration
	// TrustForwardedProto takes the request scheme from X-Forwarded-Proto,
	// needed when TLS ends at a proxy (the signature covers the https URL).
	TrustForwardedProto bool
	// URL, when set, is the only "@target-uri" a signature may cover
	// (httpsig.Verifier.TargetURI).
	URL string
	// Tag is the required signature "tag" parameter; "" means
	// httpsig.DefaultTag, the tag hoadon's deliver function signs with.
	Tag string

	// Logger receives one structured line per request; nil means JSON on
	// stderr (NewLogger).
	Logger *slog.Logger
	// Clock replaces time.Now for signature ages, nonce expiry and
	// received_at; for tests.
	Clock func() time.Time
}

// ConfigFromEnv reads the HOADON_SINK_* variables through getenv (os.Getenv
// in the function; a map lookup in tests). Errors are CodeInvalid, name the
// variable and never repeat key material.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	keys, err := ParseKeys(getenv(EnvKeys))
	if err != nil {
		return Config{}, err
	}
	cfg := Config{Keys: keys, MaxAge: DefaultMaxAge}
	if v := strings.TrimSpace(getenv(EnvMaxAge)); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > maxMaxAge {
			return Config{}, hoadon.Errorf(hoadon.CodeInvalid,
				"sink config: %s=%q: want a duration such as 5m, above 0 and at most %s", EnvMaxAge, v, maxMaxAge)
		}
		cfg.MaxAge = d
	}
	if v := strings.TrimSpace(getenv(EnvURL)); v != "" {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return Config{}, hoadon.Errorf(hoadon.CodeInvalid, "sink config: %s=%q: want the absolute http(s) URL subscribers sign for", EnvURL, v)
		}
		cfg.URL = v
	}
	if v := strings.TrimSpace(getenv(EnvTrustForwardedProto)); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Config{}, hoadon.Errorf(hoadon.CodeInvalid, "sink config: %s=%q: want true or false", EnvTrustForwardedProto, v)
		}
		cfg.TrustForwardedProto = b
	}
	return cfg, nil
}

// ParseKeys parses the HOADON_SINK_KEYS format: comma-separated
// keyid=alg:material entries. Ed25519 private keys are accepted and reduced
// to their public half. Errors name the entry by position and key id only.
func ParseKeys(s string) (httpsig.StaticKeys, error) {
	if strings.TrimSpace(s) == "" {
		return nil, hoadon.Errorf(hoadon.CodeInvalid,
			"sink config: %s is empty: want keyid=alg:material[,…] with alg ed25519 or hmac-sha256", EnvKeys)
	}
	keys := httpsig.StaticKeys{}
	for i, entry := range strings.Split(s, ",") {
		id, key, err := parseKeyEntry(strings.TrimSpace(entry))
		if err != nil {
			return nil, hoadon.Errorf(hoadon.CodeInvalid, "sink config: %s entry %d: %v", EnvKeys, i+1, err)
		}
		if _, dup := keys[id]; dup {
			return nil, hoadon.Errorf(hoadon.CodeInvalid, "sink config: %s entry %d: key id %q appears twice", EnvKeys, i+1, id)
		}
		keys[id] = key.Public()
	}
	return keys, nil
}

// parseKeyEntry parses one keyid=alg:material. Key ids are restricted to
// keyIDChars, so the first "=" and the first ":" after it split the entry
// whatever the (base64 or PEM) material contains, and a forgotten key id
// cannot swallow part of a secret into an error message.
func parseKeyEntry(entry string) (string, httpsig.Key, error) {
	id, rest, ok := strings.Cut(entry, "=")
	id = strings.TrimSpace(id)
	if !ok || id == "" {
		return "", httpsig.Key{}, fmt.Errorf("want keyid=alg:material")
	}
	if len(id) > maxKeyID || strings.Trim(id, keyIDChars) != "" {
		return "", httpsig.Key{}, fmt.Errorf("the key id before \"=\" must be 1 to %d of %s; want keyid=alg:material",
			maxKeyID, "A-Z a-z 0-9 . _ -")
	}
	alg, material, ok := strings.Cut(rest, ":")
	alg = strings.ToLower(strings.TrimSpace(alg))
	if !ok || alg == "" {
		return "", httpsig.Key{}, fmt.Errorf("key id %q: want alg:material after =", id)
	}
	key, err := httpsig.ParseKey(httpsig.Algorithm(alg), material)
	if err != nil {
		return "", httpsig.Key{}, fmt.Errorf("key id %q: %s", id, hoadon.ErrorMessage(err))
	}
	return id, key, nil
}

// Key ids are short printable tokens; anything else in front of "=" is
// taken as a mistake (often a pasted key with no id).
const (
	keyIDChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"
	maxKeyID   = 128
)
