package api

import (
	"context"
	"net/http"

	"github.com/hoadon/hoadon/shared/logx"
	"github.com/hoadon/hoadon/shared/schedule"
	"github.com/hoadon/hoadon/shared/web"
)

// recentRuns is how many run records GET /api/schedules/{id} shows.
const recentRuns = 10

// scheduleRoutes mounts the schedule API, compatible with the origin
// system's (hour and minute are Vietnam time here, UTC there):
//
//	POST   /api/schedules/create                   create (201; 409 if the id exists)
//	GET    /api/schedules                          list
//	GET    /api/schedules/{id}                     describe, with the recent runs
//	POST   /api/schedules/{id}/trigger             start an import of yesterday now
//	POST   /api/schedules/{id}/pause?note=         pause
//	POST   /api/schedules/{id}/unpause?note=       unpause
//	DELETE /api/schedules/{id}                     delete
//
// The password is sealed on create and never shown.
func (s *Server) scheduleRoutes() {
	s.handle("/api/schedules/create", s.createSchedule)
	s.handle("/api/schedules", s.listSchedules)
	s.handle("/api/schedules/{id}", s.schedule)
	s.handle("/api/schedules/{id}/{action}", s.scheduleAction)
}

func (s *Server) runner() *schedule.Runner { return schedule.New(s.svc) }

func (s *Server) createSchedule(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodPost {
		web.MethodNotAllowed(w, r, http.MethodPost)
		return
	}
	var body schedule.CreateRequest
	if err := web.DecodeJSON(r, &body); err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	v, err := s.CreateSchedule(ctx, body)
	if err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	w.Header().Set("Location", "/api/schedules/"+v.ScheduleID)
	web.WriteJSON(w, http.StatusCreated, map[string]any{
		"schedule_id": v.ScheduleID, "status": "created", "schedule": v,
		"message": "the schedule imports yesterday (Vietnam time) every day at its hour:minute " + schedule.TimeZone,
	})
}

func (s *Server) listSchedules(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodGet {
		web.MethodNotAllowed(w, r, http.MethodGet)
		return
	}
	answer(ctx, w, s, func() (map[string]any, error) {
		out, err := s.Schedules(ctx)
		return map[string]any{"schedules": out}, err
	})
}

// schedule serves GET and DELETE /api/schedules/{id}.
func (s *Server) schedule(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := schedule.ValidateID(id); err != nil {
		web.WriteError(r.Context(), w, s.log, err)
		return
	}
	ctx := logx.With(r.Context(), "schedule", id)
	switch r.Method {
	case http.MethodGet:
		s.describeSchedule(ctx, w, id)
	case http.MethodDelete:
		if err := s.runner().Delete(ctx, access(ctx), id); err != nil {
			web.WriteError(ctx, w, s.log, err)
			return
		}
		s.log.InfoContext(ctx, "schedule deleted")
		web.WriteJSON(w, http.StatusOK, map[string]any{"schedule_id": id, "status": "deleted"})
	default:
		web.MethodNotAllowed(w, r, http.MethodGet, http.MethodDelete)
	}
}

func (s *Server) describeSchedule(ctx context.Context, w http.ResponseWriter, id string) {
	answer(ctx, w, s, func() (schedule.View, error) { return s.Schedule(ctx, id) })
}

// scheduleAction serves POST /api/schedules/{id}/{trigger|pause|unpause}.
func (s *Server) scheduleAction(w http.ResponseWriter, r *http.Request) {
	id, action := r.PathValue("id"), r.PathValue("action")
	if action != "trigger" && action != "pause" && action != "unpause" {
		s.notFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		web.MethodNotAllowed(w, r, http.MethodPost)
		return
	}
	ctx := logx.With(r.Context(), "schedule", id)
	if action == "trigger" {
		resp, err := s.TriggerSchedule(ctx, id)
		if err != nil {
			web.WriteError(ctx, w, s.log, err)
			return
		}
		writeStarted(w, resp)
		return
	}
	answer(ctx, w, s, func() (schedule.View, error) {
		return s.PauseSchedule(ctx, id, action == "pause", r.URL.Query().Get("note"))
	})
}
