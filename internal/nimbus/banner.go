package nimbus

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// PrintBanner writes what is running and where to reach it: the same facts
// as GET /_nimbus/app.
func (s *Server) PrintBanner(w io.Writer) {
	v := s.view()
	fmt.Fprintf(w, "\nNimbus %s is up (%s)\n\n", s.cfg.Version, s.dataDescription())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, site := range v.Sites {
		fmt.Fprintf(tw, "  Open\t%s\t(site %s)\n", site.URL, site.Name)
	}
	if len(v.Sites) > 0 {
		fmt.Fprintln(tw)
	}
	for _, a := range v.APIs {
		fmt.Fprintf(tw, "  %s API\t%s\t%s (%s)\n", titleProtocol(a.Protocol), a.URL, a.LogicalID, a.APIID)
	}
	if len(v.APIs) > 0 {
		fmt.Fprintln(tw)
	}
	if len(v.Functions) > 0 {
		names := make([]string, 0, len(v.Functions))
		for _, f := range v.Functions {
			names = append(names, f.Name)
		}
		fmt.Fprintf(tw, "  Functions\t%s\t\n", strings.Join(names, ", "))
	}
	if len(v.Tables) > 0 {
		names := make([]string, 0, len(v.Tables))
		for _, t := range v.Tables {
			names = append(names, t.Name)
		}
		fmt.Fprintf(tw, "  Tables\t%s\t\n", strings.Join(names, ", "))
	}
	for _, k := range sortedOutputs(v.Outputs) {
		fmt.Fprintf(tw, "  Output %s\t%s\t\n", k, v.Outputs[k])
	}
	fmt.Fprintf(tw, "  Edge (AWS APIs)\t%s\texport AWS_ENDPOINT_URL=%s\n", s.URL(), s.URL())
	tw.Flush()
	fmt.Fprintln(w)
}

func titleProtocol(p string) string {
	switch p {
	case "WEBSOCKET":
		return "WebSocket"
	default:
		return p
	}
}
