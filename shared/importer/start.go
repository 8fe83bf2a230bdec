package importer

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
)

// StartRequest is a validated request to import.
type StartRequest struct {
	Tenant         hoadon.Tenant // empty: the default tenant
	Params         hoadon.ImportParams
	Password       string
	IdempotencyKey string
	// Export: write the period's workbooks when the import completes
	// (Import.Export).
	Export bool
}

// Start records an import and starts its workflow. The same parameters while
// an import runs, or a repeated Idempotency-Key, return that import with
// created false. The password is sealed and kept with the import; it
// replaces the tenant's stored login only once the portal accepted it
// (Login), and goes nowhere else.
func (s *Service) Start(ctx context.Context, req StartRequest) (hoadon.Import, bool, error) {
	if err := Validate(&req.Params, req.Password, s.Now()); err != nil {
		return hoadon.Import{}, false, err
	}
	p := req.Params
	tenant := req.Tenant.OrDefault()
	if !tenant.Valid() {
		return hoadon.Import{}, false, hoadon.Errorf(hoadon.CodeInvalid, "tenant %q is not valid", tenant)
	}
	imp := hoadon.Import{ID: uuid.NewString(), Tenant: tenant, Params: p, State: hoadon.ImportPending, CreatedAt: s.Now().UTC(), Export: req.Export}
	c := collect(ctx, s, importTenant, func(imp hoadon.Import) ([]events.Data, error) {
		return []events.Data{events.ImportStarted{ImportID: imp.ID, CompanyMST: p.CompanyID, From: p.From, To: p.To, Flows: p.Flows}}, nil
	})
	imp, created, err := s.Store.CreateImport(ctx, store.CreateRequest{
		Import:         imp,
		Login:          s.sealLogin(tenant, p.CompanyID, p.Username, req.Password),
		IdempotencyKey: req.IdempotencyKey,
		Events:         c.fn,
	})
	if err != nil || !created {
		return imp, false, err
	}
	s.dispatch(ctx, c.got)
	s.noteImport(ctx, imp, hoadon.Counts{})
	exec, err := s.Workflows.Start(ctx, imp.ID)
	if err != nil {
		reason := fmt.Sprintf("could not start the workflow: %s", hoadon.ErrorMessage(err))
		if _, ferr := s.Fail(ctx, imp.ID, hoadon.ErrorCode(err), reason); ferr != nil {
			s.Log.ErrorContext(ctx, "recording the failed start", "import", imp.ID, "err", ferr)
		}
		return imp, true, fmt.Errorf("importer.Start: %w", err)
	}
	imp, _, err = s.Store.Update(ctx, imp.ID, func(i *hoadon.Import) bool {
		i.Execution = exec
		return true
	}, nil)
	return imp, true, err
}

// sealLogin seals a password for a tenant's company and digests the login.
func (s *Service) sealLogin(tenant hoadon.Tenant, company, username, password string) store.Login {
	return store.Login{
		Username:       username,
		SealedPassword: s.Box.Seal([]byte(password), store.CredentialsLabel(tenant, company)),
		Digest:         store.LoginDigest(s.Box, company, username, []byte(password)),
	}
}
