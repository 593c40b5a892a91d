package nimbus

import (
	"context"
	"fmt"

	"github.com/nimbus-dev/nimbus/internal/invoke"
)

// Invoke runs one function of the loaded app by physical name or logical
// id, as `nimbus invoke` does.
func (s *Server) Invoke(ctx context.Context, function string, payload []byte) (*invoke.Response, error) {
	name := function
	s.mu.Lock()
	if s.app != nil {
		for _, f := range s.app.model.Functions {
			if f.LogicalID == function {
				name = f.Name
			}
		}
	}
	s.mu.Unlock()
	resp, err := s.svc.lambda.Invoke(ctx, &invoke.Request{FunctionName: name, Payload: payload, InvocationType: invoke.RequestResponse})
	if err != nil {
		return nil, fmt.Errorf("invoke %s: %w", function, err)
	}
	return resp, nil
}

// FunctionNames lists the app's functions as "LogicalId (name)", for
// messages that help pick one.
func (s *Server) FunctionNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.app == nil {
		return nil
	}
	var names []string
	for _, f := range s.app.model.Functions {
		names = append(names, f.LogicalID+" ("+f.Name+")")
	}
	return names
}
