// Package importer is the import pipeline's logic, one method per activity:
// Start (the task API), Login, Discover, Download, Status, Finalize, Fail,
// Cancel and Deliver. The functions in functions/ are thin HTTP adapters over
// these methods; Cloud Workflows calls Login, Discover, Status, Finalize and
// Fail in order, Cloud Tasks calls Download and Deliver.
//
// Every method is idempotent: a request that arrives twice, or after a crash,
// finds the state it left and changes nothing again. The facts live in the
// store; the methods carry ids, never invoice lists or credentials.
package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/hoadon/hoadon/shared/blob"
	"github.com/hoadon/hoadon/shared/egress"
	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/httpsig"
	"github.com/hoadon/hoadon/shared/queue"
	"github.com/hoadon/hoadon/shared/secret"
	"github.com/hoadon/hoadon/shared/store"
	"github.com/hoadon/hoadon/shared/throttle"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

// Orchestrator starts and cancels the workflow execution of an import.
type Orchestrator interface {
	Start(ctx context.Context, importID string) (execution string, err error)
	Cancel(ctx context.Context, execution string) error
}

// Endpoints are the URLs tasks are sent to. In the hybrid mode the download
// URL may switch between the VM and the serverless service (burst).
type Endpoints struct {
	Download string
	Deliver  string
	// BurstDownload, when set, takes new download tasks while more than
	// BurstThreshold downloads are pending (hybrid mode: the serverless
	// download service behind the VM).
	BurstDownload  string
	BurstThreshold int
}

// Deps are the adapters a Service works with; build them once per process.
type Deps struct {
	Store    *store.Store
	Blobs    *blob.Store
	Queues   *queue.Queues
	Throttle *throttle.Controller
	Box      *secret.Box
	Portal   *gdt.Client
	Solver   gdt.CaptchaSolver
	// Signatures verifies the invoices' XML signatures; nil verifies them
	// without a trust store (chain "not_checked").
	Signatures *xmlsig.Verifier
	Workflows  Orchestrator
	Endpoints  Endpoints
	// Subscribers are the environment's webhook URLs: the default tenant's
	// subscribers, besides its subscriptions.
	Subscribers []string
	// Signer signs deliveries to Subscribers (RFC 9421), with an HMAC key
	// each subscriber's own, derived from Signer's for its URL
	// (events.SubscriberSigner); nil sends them unsigned. A subscription's
	// deliveries are signed with its own key.
	Signer *httpsig.Signer
	// HTTP delivers events; it must not follow redirects, and must dial
	// only public addresses (egress.Guard's client) unless local.
	HTTP HTTPDoer
	// URLs checks a subscription's URL when it is created; nil means
	// egress.Guard{} (https to public addresses only).
	URLs URLChecker
	// DiscoveryConcurrency is how many windows the workflow lists at once
	// per import; the company queue leaves them their portal slots while
	// discovery runs.
	DiscoveryConcurrency int
	// Instance names this process in login leases.
	Instance string
	Log      *slog.Logger
	Now      func() time.Time
}

// HTTPDoer sends one HTTP request.
type HTTPDoer interface {
	Do(*http.Request) (*http.Response, error)
}

// URLChecker accepts or refuses a subscriber URL.
type URLChecker interface {
	CheckURL(ctx context.Context, raw string) error
}

// Service runs the pipeline's activities.
type Service struct {
	Deps
	burst  burst
	sweeps sync.Map                                            // import id → time of this instance's last sweep
	subs   *expirable.LRU[hoadon.Tenant, []store.Subscription] // a tenant's subscriptions, briefly
	cache  *sessionCache                                       // imports' logins and sessions
}

// New returns a Service; missing optional dependencies get defaults.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.HTTP == nil {
		d.HTTP = &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	}
	if d.URLs == nil {
		d.URLs = egress.Guard{}
	}
	return &Service{Deps: d, subs: expirable.NewLRU[hoadon.Tenant, []store.Subscription](1000, nil, subscriptionsCacheFor),
		cache: newSessionCache()}
}

// SubscriberID names a webhook URL in task ids and delivery records without
// spelling the URL out.
func SubscriberID(url string) string {
	s := sha256.Sum256([]byte(url))
	return hex.EncodeToString(s[:6])
}
