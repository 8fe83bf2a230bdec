package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/hoadon/hoadon/shared/config"
	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/httpsig"
	"github.com/hoadon/hoadon/shared/wire"
)

func init() {
	register(command{words: "subscription create", usage: "--url URL [--types TYPE,...]" + apiUsage,
		summary: "add a webhook subscriber to the key's tenant (admin key); prints its signing key once", run: runSubscriptionCreate})
	register(command{words: "subscription list", usage: strings.TrimSpace(apiUsage),
		summary: "list the webhook subscribers of the key's tenant (admin key)", run: runSubscriptionList})
	register(command{words: "subscription key", usage: "--url URL",
		summary: "print the verifying key of an environment subscriber (HOADON_WEBHOOK_URLS) in HOADON_SINK_* form, from HOADON_SIGNING_KEY", run: runSubscriptionKey})
	register(command{words: "subscription delete", usage: "ID" + apiUsage,
		summary: "remove a webhook subscriber of the key's tenant (admin key)", run: runSubscriptionDelete})
}

func runSubscriptionCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("subscription create", stderr)
	api := addAPIFlags(fs)
	u := fs.String("url", "", "where events are posted (https to a public address; http to loopback with HOADON_LOCAL=true)")
	types := fs.String("types", "", "comma-separated event types, e.g. vn.hoadon.import.completed (default: every type)")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if *u == "" {
		return fmt.Errorf("%w: --url is required", errUsage)
	}
	body := wire.SubscriptionRequest{URL: *u}
	if *types != "" {
		body.Types = strings.Split(*types, ",")
	}
	c, err := api.client()
	if err != nil {
		return err
	}
	sub, err := c.CreateSubscription(ctx, body)
	if err != nil {
		return explain(err)
	}
	if api.json {
		return writeJSON(stdout, sub)
	}
	fmt.Fprintf(stdout, "id:          %s\nurl:         %s\nkey id:      %s\nsigning key: %s\n", sub.ID, sub.URL, sub.KeyID, sub.SigningKey)
	fmt.Fprintln(stderr, "The signing key (HMAC-SHA256, base64) is shown this once: give it to the subscriber to verify deliveries.")
	return nil
}

func runSubscriptionList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("subscription list", stderr)
	api := addAPIFlags(fs)
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	c, err := api.client()
	if err != nil {
		return err
	}
	subs, err := c.Subscriptions(ctx)
	if err != nil {
		return explain(err)
	}
	if api.json {
		return writeJSON(stdout, subs)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tURL\tTYPES\tCREATED")
	for _, s := range subs {
		types := strings.Join(s.Types, ",")
		if types == "" {
			types = "all"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.ID, s.URL, types, s.CreatedAt.Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

func runSubscriptionDelete(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("subscription delete", stderr)
	api := addAPIFlags(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: give one subscription ID", errUsage)
	}
	c, err := api.client()
	if err != nil {
		return err
	}
	if err := c.DeleteSubscription(ctx, pos[0]); err != nil {
		return explain(err)
	}
	_, err = fmt.Fprintf(stdout, "subscription %s deleted\n", pos[0])
	return err
}

// runSubscriptionKey prints what the subscriber at --url verifies the
// environment's deliveries with: with hmac-sha256 its own secret, derived
// from HOADON_SIGNING_KEY and the exact URL (events.SubscriberKey), so the
// operator keeps one secret and each subscriber gets only its own; with
// ed25519 the public key, the same for every subscriber.
func runSubscriptionKey(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("subscription key", stderr)
	u := fs.String("url", "", "the subscriber's URL, exactly as listed in HOADON_WEBHOOK_URLS")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if *u == "" {
		return fmt.Errorf("%w: --url is required", errUsage)
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	if cfg.SigningKey == "" {
		return fmt.Errorf("HOADON_SIGNING_KEY is not set: deliveries are unsigned")
	}
	if !slices.Contains(cfg.Webhooks, *u) {
		fmt.Fprintf(stderr, "warning: %s is not in HOADON_WEBHOOK_URLS; the key is for that exact URL\n", *u)
	}
	master, err := httpsig.ParseKey(httpsig.Algorithm(cfg.SigningAlg), cfg.SigningKey)
	if err != nil {
		return fmt.Errorf("HOADON_SIGNING_KEY: %w", err)
	}
	key, err := events.SubscriberKey(master, *u)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "HOADON_SINK_KEYS=%s=%s:%s\nHOADON_SINK_URL=%s\n", cfg.SigningKeyID, key.Alg(), key.Material(), *u)
	return nil
}
