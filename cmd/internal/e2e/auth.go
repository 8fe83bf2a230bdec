package e2e

import (
	"context"
	"os"
	"strings"
	"time"

	fsemu "github.com/hoadon/hoadon/emulators/firestore"
	"github.com/hoadon/hoadon/shared/auth"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
)

// tasksServiceAccount is the identity the harness's download and delivery
// tasks carry.
const tasksServiceAccount = "tasks@local-project.iam.gserviceaccount.com"

// authEnv turns production authentication on: tasks carry OIDC tokens of a
// service account, and only that account and the Workflows emulator's may
// call internal functions.
func (h *Harness) authEnv() map[string]string {
	return map[string]string{
		"HOADON_AUTH":                  "required",
		"HOADON_TASKS_SERVICE_ACCOUNT": tasksServiceAccount,
		"HOADON_INTERNAL_PRINCIPALS":   strings.Join([]string{h.Stack.Workflows().ServiceAccountEmail(), tasksServiceAccount}, ","),
	}
}

// createAPIKey stores an API key for the tests and the CLI.
func (h *Harness) createAPIKey() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fs, err := fsemu.NewClient(ctx, h.Stack.Firestore().Host(), h.Env["HOADON_PROJECT"])
	if err != nil {
		return err
	}
	defer fs.Close()
	key, _, err := auth.NewKeys(fs).Create(ctx, "e2e", hoadon.AdminOf(hoadon.DefaultTenant))
	if err != nil {
		return err
	}
	h.Env["HOADON_API_KEY"] = key
	return os.Setenv("HOADON_API_KEY", key)
}

// APIKey creates a tenant (if new) and an API key of it with a role and an
// optional company allow-list, as hoadon tenant create and hoadon apikey
// create do, and returns the key.
func (h *Harness) APIKey(tenant hoadon.Tenant, role hoadon.Role, companies ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fs, err := fsemu.NewClient(ctx, h.Stack.Firestore().Host(), h.Env["HOADON_PROJECT"])
	if err != nil {
		return "", err
	}
	defer fs.Close()
	if _, err := store.New(fs).CreateTenant(ctx, tenant, string(tenant)); err != nil && hoadon.ErrorCode(err) != hoadon.CodeConflict {
		return "", err
	}
	key, _, err := auth.NewKeys(fs).Create(ctx, string(tenant)+" "+string(role), hoadon.Access{Tenant: tenant, Role: role, Companies: companies})
	return key, err
}
