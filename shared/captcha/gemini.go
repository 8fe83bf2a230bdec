package captcha

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"google.golang.org/genai"

	"github.com/hoadon/hoadon/shared/captcha/internal/glyph"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// DefaultGeminiModel is used when GeminiConfig.Model is empty.
const DefaultGeminiModel = "gemini-2.5-flash"

// DefaultGeminiTimeout bounds one Gemini call when GeminiConfig.Timeout is 0.
const DefaultGeminiTimeout = 30 * time.Second

// GeminiConfig configures the Gemini fallback (Vertex AI backend of
// google.golang.org/genai).
type GeminiConfig struct {
	Project  string // GCP project (required)
	Location string // Vertex location, e.g. "asia-southeast1"; "" lets genai choose ("global")
	Model    string // default DefaultGeminiModel
	// BaseURL overrides the Vertex endpoint (the fake in emulators/gemini).
	// With BaseURL and no HTTPClient a plain http.Client is used, i.e. no
	// Google credentials are sent: pass an authenticated HTTPClient to reach
	// a real endpoint through a custom URL.
	BaseURL string
	// HTTPClient, if set, carries every call (and disables ADC lookup).
	// Without BaseURL and HTTPClient, Application Default Credentials are used.
	HTTPClient *http.Client
	Timeout    time.Duration // per Solve; default DefaultGeminiTimeout
}

// Gemini solves captchas by asking a Gemini model. It is the fallback for
// glyphs the Table does not know; its answers are validated but can be
// wrong, so a caller should Learn them only after the login succeeded.
type Gemini struct {
	client  *genai.Client
	model   string
	timeout time.Duration
}

var _ Solver = (*Gemini)(nil)

// NewGemini builds the genai client. It does no network call.
func NewGemini(ctx context.Context, cfg GeminiConfig) (*Gemini, error) {
	if cfg.Project == "" {
		return nil, hoadon.Errorf(hoadon.CodeInvalid, "captcha.NewGemini: Project is required")
	}
	if cfg.Model == "" {
		cfg.Model = DefaultGeminiModel
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultGeminiTimeout
	}
	cc := &genai.ClientConfig{
		Backend:    genai.BackendVertexAI,
		Project:    cfg.Project,
		Location:   cfg.Location,
		HTTPClient: cfg.HTTPClient,
	}
	if cfg.BaseURL != "" {
		cc.HTTPOptions.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/") + "/"
		if cc.HTTPClient == nil {
			cc.HTTPClient = &http.Client{}
		}
	}
	client, err := genai.NewClient(ctx, cc)
	if err != nil {
		return nil, hoadon.Wrap(hoadon.CodeInvalid, err, "captcha.NewGemini")
	}
	return &Gemini{client: client, model: cfg.Model, timeout: cfg.Timeout}, nil
}

// geminiPrompt states what the portal's captcha can contain, so the model
// neither invents lower case nor reads O/0, I/1.
const geminiPrompt = "The image is a captcha from the Vietnamese tax portal. It contains exactly " +
	"6 characters, all from this alphabet: " + Alphabet + " (digits 2-9 and upper-case letters " +
	"A-Z except I, L, O and U; there is no 0 and no 1). The same captcha follows as SVG source: " +
	"each character is one filled <path>; read them left to right. " +
	"Reply with the 6 characters only, upper case, no spaces, no other text."

// Solve sends the captcha to Gemini as a PNG (glyphs rasterised, noise
// curves left out) plus the SVG source as text, and returns the validated,
// upper-cased answer. Errors: ErrMalformed for an SVG that is not a
// captcha, ErrInvalidAnswer (CodeBadData) for a reply that is not six
// alphabet characters, CodeRateLimited for 429, CodeTransient for 5xx,
// timeouts and connection errors.
func (g *Gemini) Solve(ctx context.Context, svg []byte) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	var c glyph.Captcha
	if err := glyph.Parse(svg, &c); err != nil {
		return "", malformed(err)
	}
	img, err := renderPNG(&c)
	if err != nil {
		return "", malformed(err)
	}
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	parts := []*genai.Part{
		genai.NewPartFromText(geminiPrompt),
		genai.NewPartFromBytes(img, "image/png"),
		genai.NewPartFromText(string(svg)),
	}
	resp, err := g.client.Models.GenerateContent(ctx, g.model,
		[]*genai.Content{genai.NewContentFromParts(parts, genai.RoleUser)},
		&genai.GenerateContentConfig{Temperature: genai.Ptr[float32](0)})
	if err != nil {
		return "", classifyGemini(ctx, err)
	}
	return parseGeminiAnswer(resp.Text())
}

// parseGeminiAnswer accepts the reply if, once trimmed of whitespace,
// quotes and backticks and upper-cased, it is six alphabet characters. The
// reply text itself is not put in the error (it may be a captcha answer).
func parseGeminiAnswer(text string) (string, error) {
	ans, err := NormalizeAnswer(strings.Trim(text, " \t\r\n\"'`."))
	if err != nil {
		return "", classified(hoadon.CodeBadData, ErrInvalidAnswer, "captcha.Gemini: reply of %d bytes is not %d characters of %s",
			len(text), Length, Alphabet)
	}
	return ans, nil
}

// classifyGemini maps a genai error to a hoadon code once.
func classifyGemini(ctx context.Context, err error) error {
	var apiErr genai.APIError
	switch {
	case errors.As(err, &apiErr):
		return hoadon.Wrap(apiCode(apiErr.Code), err, fmt.Sprintf("captcha.Gemini: HTTP %d %s", apiErr.Code, apiErr.Status))
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("captcha.Gemini: %w", err) // ErrorCode → CodeCancelled
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil:
		return hoadon.Wrap(hoadon.CodeTransient, err, "captcha.Gemini: timed out")
	}
	return hoadon.Wrap(hoadon.CodeTransient, err, "captcha.Gemini: call failed")
}

func apiCode(status int) hoadon.Code {
	switch {
	case status == http.StatusTooManyRequests:
		return hoadon.CodeRateLimited
	case status == http.StatusRequestTimeout || status >= 500:
		return hoadon.CodeTransient
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return hoadon.CodeUnauthorized
	case status >= 400:
		return hoadon.CodeInvalid
	}
	return hoadon.CodeInternal
}
