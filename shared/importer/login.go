package importer

import (
	"context"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// LoginResult tells the workflow what to discover. Windows is at most
// flows × MaxRangeMonths+1 small entries, well within workflow memory.
type LoginResult struct {
	State   hoadon.ImportState  `json:"state"`
	Windows []hoadon.FlowWindow `json:"windows"`
}

// Login is the first activity: it makes sure the import's login has a
// portal session (solving the captcha if needed), makes that login the
// tenant's stored one now that the portal accepted it, marks the import
// running and returns the discovery windows. Wrong credentials fail at once
// and are never retried (the portal locks accounts); they change neither
// the stored login nor the session of another.
func (s *Service) Login(ctx context.Context, importID string) (LoginResult, error) {
	imp, err := s.Store.Import(ctx, importID)
	if err != nil {
		return LoginResult{}, err
	}
	if imp.State.Final() {
		return LoginResult{State: imp.State}, nil
	}
	err = s.proveLogin(ctx, imp)
	s.noteLogin(ctx, imp, err)
	if err != nil {
		return LoginResult{}, err
	}
	windows, err := imp.Params.Windows()
	if err != nil {
		return LoginResult{}, err
	}
	s.setSlots(ctx, imp.Params.CompanyID, true)
	imp, _, err = s.Store.Update(ctx, importID, func(i *hoadon.Import) bool {
		if i.State != hoadon.ImportPending {
			return false
		}
		i.State, i.StartedAt, i.Windows = hoadon.ImportRunning, s.Now().UTC(), len(windows)
		return true
	}, nil)
	if err != nil {
		return LoginResult{}, err
	}
	if imp.State.Final() {
		windows = nil
	}
	return LoginResult{State: imp.State, Windows: windows}, nil
}

// proveLogin opens (or reuses) the session of the import's own login and
// then stores that login as the tenant's: only a login the portal accepted
// is ever stored.
func (s *Service) proveLogin(ctx context.Context, imp hoadon.Import) error {
	l, err := s.importLogin(ctx, imp)
	if err != nil {
		return err
	}
	if _, _, err := s.sessionOf(ctx, imp, l, 0); err != nil {
		return err
	}
	return s.Store.AcceptLogin(ctx, imp.Tenant, imp.Params.CompanyID, l)
}
