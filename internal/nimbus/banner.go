package nimbus

import (
	"fmt"
	"io"
)

// PrintBanner writes what is running and where to reach it.
func (s *Server) PrintBanner(w io.Writer) {
	fmt.Fprintf(w, "\nNimbus %s is up\n\n", s.cfg.Version)
	fmt.Fprintf(w, "  Edge (AWS service APIs)   %s\n", s.URL())
	fmt.Fprintf(w, "  Data                      %s\n\n", s.dataDescription())
	fmt.Fprintf(w, "  Point SDKs and the AWS CLI at it:  export AWS_ENDPOINT_URL=%s\n\n", s.URL())
}
