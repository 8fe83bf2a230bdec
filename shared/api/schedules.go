package api

// scheduleRoutes mounts the schedule API (POST /api/schedules/create, ...).
func (s *Server) scheduleRoutes() {}
