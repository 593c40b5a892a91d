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
	fmt.Fprintf(w, "\nNimbus %s is up (%s)\n", s.cfg.Version, s.dataDescription())

	section := func(rows [][]string) {
		if len(rows) == 0 {
			return
		}
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, r := range rows {
			fmt.Fprintln(tw, "  "+strings.Join(r, "\t"))
		}
		tw.Flush()
	}

	var rows [][]string
	for _, site := range v.Sites {
		rows = append(rows, []string{"Open", site.URL, "site " + site.Name})
	}
	section(rows)

	rows = nil
	for _, a := range v.APIs {
		rows = append(rows, []string{titleProtocol(a.Protocol) + " API", a.URL, a.LogicalID + " (" + a.APIID + ")"})
	}
	section(rows)

	rows = nil
	if len(v.Functions) > 0 {
		ids := make([]string, 0, len(v.Functions))
		for _, f := range v.Functions {
			ids = append(ids, f.LogicalID)
		}
		rows = append(rows, []string{"Functions", strings.Join(ids, ", ")})
	}
	for _, t := range v.Tables {
		rows = append(rows, []string{"Table", t.Name, t.LogicalID})
	}
	for _, k := range sortedOutputs(v.Outputs) {
		rows = append(rows, []string{"Output", k, v.Outputs[k]})
	}
	section(rows)

	fmt.Fprintf(w, "\n  AWS APIs (edge)  %s   export AWS_ENDPOINT_URL=%s\n\n", s.URL(), s.URL())
}

func titleProtocol(p string) string {
	if p == "WEBSOCKET" {
		return "WebSocket"
	}
	return p
}
