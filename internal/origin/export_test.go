package origin

// SetMaterialise makes s build fMP4 and MPEG-TS segments whole in
// memory, as before streaming, so that tests can compare both.
func SetMaterialise(s *Server, on bool) { s.materialise = on }

// SetStreamChunk sets the bytes a streamed segment writes at a time.
func SetStreamChunk(s *Server, n int) { s.streamChunk = n }
