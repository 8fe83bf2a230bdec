package localstack

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"

	"github.com/hoadon/hoadon/emulators/gcs"
	"github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/emulators/gemini"
)

// Defaults of the identifiers the stack reports, chosen to be obviously local.
const (
	DefaultProject      = "local-project"
	DefaultLocation     = "us-central1"
	DefaultBucket       = "hoadon-local"
	DefaultWorkflowsDir = "workflows-yaml"
)

// Config says what to start and where. The zero value starts everything on free loopback
// ports with the defaults above, except WorkflowsDir, which must exist (it defaults to
// workflows-yaml relative to the working directory, right for the repository root).
type Config struct {
	// Project, Location and Bucket are reported as HOADON_PROJECT, HOADON_LOCATION and
	// HOADON_BUCKET; the Workflows emulator serves that project and location, and the bucket
	// is created empty in fake GCS.
	Project, Location, Bucket string

	// GDTURL, when set, is an external portal base URL (including /api) reported instead of
	// starting the simulator.
	GDTURL string
	// GDT configures the simulator; nil means gdt.DefaultOptions(). Its Addr is the listen
	// address.
	GDT *gdt.Options

	// Gemini configures the fake Gemini endpoint; nil means gemini.DefaultOptions() (captchas
	// solved by shape matching against the repository's testdata/captcha). GeminiAddr, when
	// set, overrides its Addr.
	Gemini *gemini.Options

	// Listen addresses (host:port); empty means a free port on 127.0.0.1.
	FirestoreAddr, GCSAddr, TasksAddr, WorkflowsAddr, OIDCAddr, GeminiAddr string

	// WorkflowsDir holds the workflow YAML files (default DefaultWorkflowsDir).
	WorkflowsDir string
	// DataDir, when set, makes Firestore and GCS data outlive the stack: objects are kept as
	// files under DataDir/gcs, and Firestore is exported to DataDir/firestore by Close and
	// imported from there by the next Start. (Queues, workflow executions and the
	// simulator start afresh: nothing is pending after a clean Close.)
	DataDir string
	// WorkflowEnv are the workflows' user environment variables (sys.get_env).
	WorkflowEnv map[string]string
	// WorkflowTimeScale multiplies sys.sleep and retry backoff in workflows (0: real time).
	WorkflowTimeScale float64

	// Java and FirestoreJar override where the Firestore emulator's java and jar are found
	// (defaults as in package emulators/firestore).
	Java, FirestoreJar string
	// FirestoreOutput receives the Firestore JVM's log (nil discards it).
	FirestoreOutput io.Writer
	// Logger receives the Workflows and Cloud Tasks emulators' logs (nil discards them).
	Logger *slog.Logger
}

func (c *Config) fillDefaults() {
	if c.Project == "" {
		c.Project = DefaultProject
	}
	if c.Location == "" {
		c.Location = DefaultLocation
	}
	if c.Bucket == "" {
		c.Bucket = DefaultBucket
	}
	if c.WorkflowsDir == "" {
		c.WorkflowsDir = DefaultWorkflowsDir
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

func (c Config) validate() error {
	var errs []error
	if strings.ContainsAny(c.Project, "/ ") || strings.ContainsAny(c.Location, "/ ") {
		errs = append(errs, fmt.Errorf("project %q and location %q must not contain '/' or spaces", c.Project, c.Location))
	}
	if err := gcs.ValidateBucketName(c.Bucket); err != nil {
		errs = append(errs, err)
	}
	if c.GDTURL != "" {
		u, err := url.Parse(c.GDTURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("GDT URL %q: want an absolute http(s) URL", c.GDTURL))
		}
		if c.GDT != nil {
			errs = append(errs, errors.New("GDT URL and simulator options are exclusive"))
		}
	}
	if st, err := os.Stat(c.WorkflowsDir); err != nil || !st.IsDir() {
		errs = append(errs, fmt.Errorf("workflows directory %q does not exist (run from the repository root or set it)", c.WorkflowsDir))
	}
	return errors.Join(errs...)
}
