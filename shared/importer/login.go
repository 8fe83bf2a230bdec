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

// Login is the first activity: it makes sure the company has a portal
// session (solving the captcha if needed), marks the import running and
// returns the discovery windows. Wrong credentials fail at once and are
// never retried: the portal locks accounts.
func (s *Service) Login(ctx context.Context, importID string) (LoginResult, error) {
	imp, err := s.Store.Import(ctx, importID)
	if err != nil {
		return LoginResult{}, err
	}
	if imp.State.Final() {
		return LoginResult{State: imp.State}, nil
	}
	if _, _, err := s.session(ctx, imp, 0); err != nil {
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
