package workshopbench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Format writes the report as a table, then the targets.
func (r *Report) Format(w io.Writer) error {
	var sb strings.Builder
	fmt.Fprintf(&sb, "atlas bench workshop: one facilitator changing the view %g times a second for %gs (a step every 5 s), participants following over SSE",
		r.Rate, r.DurationS)
	if r.ActionEveryS > 0 {
		fmt.Fprintf(&sb, ", each contributing or voting every %gs", r.ActionEveryS)
	}
	sb.WriteString("\nlatency = from the request (the facilitator's, or a participant's action) to each participant's receipt of the event; lost = events a participant never received\n\n")
	tw := tabwriter.NewWriter(&sb, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "run\tevents\tdeliveries\tp50\tp99\tmax\tactions\tanswered p50/p99\tdeliveries\tp50\tp99\tmax\tlost\tleaked\tjoin\tRSS (MB)\tCPU (cores)\tresumed\terrors\t")
	fmt.Fprintln(tw, "\tfacilitator\t\t\t\t\tparticipants\t\t\t\t\t\t\t\t\t\t\t\t\t")
	for _, f := range r.Runs {
		resumed := "–"
		if f.Failover {
			resumed = fmt.Sprintf("%d in ≤ %.0f ms", f.Resumed, f.ResumeMS)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f ms\t%.1f ms\t%.1f ms\t%d\t%.1f / %.1f ms\t%d\t%.1f ms\t%.1f ms\t%.1f ms\t%d\t%d\t%.1f s\t%s\t%s\t%s\t%d\t\n", f.Spec, f.Events, f.Deliveries,
			f.P50MS, f.P99MS, f.MaxMS, f.Actions, f.AnswerP50MS, f.AnswerP99MS, f.ActionDeliveries, f.ActionP50MS, f.ActionP99MS, f.ActionMaxMS, f.Lost, f.Leaked,
			f.JoinS, joinInts(f.RSSMB), joinFloats(f.CPUCores), resumed, f.Errors)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	pass := 0
	sb.WriteString("\n")
	tw = tabwriter.NewWriter(&sb, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "target\tvalue\tlimit\tresult\t")
	for _, t := range r.Targets {
		v := "–"
		if t.Value != nil {
			v = fmt.Sprintf("%g %s", *t.Value, t.Unit)
		}
		res := "FAIL"
		if t.Pass {
			res, pass = "PASS", pass+1
		}
		fmt.Fprintf(tw, "%s\t%s\t%s %g %s\t%s\t\n", t.Name, strings.TrimSpace(v), t.Op, t.Limit, t.Unit, res)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(&sb, "\ntargets: %d of %d PASS\n", pass, len(r.Targets))
	for _, f := range r.Runs {
		if f.FirstErr != "" {
			fmt.Fprintf(&sb, "%s: first error: %s\n", f.Spec, f.FirstErr)
		}
	}
	sb.WriteString("\nThe participants run in the bench's process, on the same cores as the servers: the figures include their share of the machine.\n")
	_, err := io.WriteString(w, sb.String())
	return err
}

func joinInts(xs []int64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, " / ")
}

func joinFloats(xs []float64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprintf("%.2f", x)
	}
	return strings.Join(s, " / ")
}
