package document

import (
	"context"
	"strconv"
	"strings"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/report"
	"github.com/atlas-sante-travail/atlas/internal/workshop"
)

// Synthesis renders the synthèse du diagnostic of one or more workshops,
// as their syntheses give them to the token's holder (workshop.Service
// decides: a facilitator's has the authors' names, a participant's
// not): the retained constats and pistes d'action, the priorities voted,
// then each step's map with the figure it showed. Not cached: a workshop
// changes with every contribution.
func (s *Service) Synthesis(ctx context.Context, syns []workshop.Synthesis, format string) (*Rendered, error) {
	format, err := CheckFormat(format)
	if err != nil {
		return nil, err
	}
	doc := &report.Document{Title: "Synthèse du diagnostic", Date: s.now(),
		Keywords: []string{"santé au travail", "diagnostic régional", "atelier", "constats", "pistes d'action"}}
	var codes, titles []string
	for _, syn := range syns {
		codes = append(codes, syn.Code)
		titles = append(titles, syn.Title)
		pages, err := s.workshopPages(ctx, syn)
		if err != nil {
			return nil, err
		}
		doc.Pages = append(doc.Pages, pages...)
		if len(syn.Notices) > 0 {
			doc.Notice = demoNotice
		}
	}
	doc.Subtitle = "Ateliers : " + strings.Join(titles, ", ")
	doc.Subject = doc.Title + " – " + doc.Subtitle
	name := "synthese-" + slug(strings.Join(codes, "-"))
	doc.FileName = name
	b, err := encode(doc, format)
	if err != nil {
		return nil, err
	}
	return &Rendered{Body: b, ContentType: contentType(format), FileName: name + "." + format}, nil
}

// workshopPages are one workshop's: its retained lists and priorities,
// then the maps of its steps.
func (s *Service) workshopPages(ctx context.Context, syn workshop.Synthesis) ([]report.Page, error) {
	intro := "Atelier " + syn.Code
	if syn.RegionName != "" {
		intro += ", région " + syn.RegionName
	}
	intro += " ; " + strconv.Itoa(syn.Participants) + " participant(s) ; créé le " + report.DateLabel(syn.CreatedAt)
	if syn.ClosedAt != nil {
		intro += ", clos le " + report.DateLabel(*syn.ClosedAt)
	}
	notice := ""
	if len(syn.Notices) > 0 {
		notice = demoNotice
	}
	first := report.Page{Title: syn.Title, Intro: intro + ".", Notice: notice}
	for _, list := range []struct {
		title string
		lines []workshop.ContributionLine
	}{{"Constats retenus", syn.Constats}, {"Pistes d'action retenues", syn.Pistes}} {
		t := report.Text{}
		for _, l := range list.lines {
			t.Items = append(t.Items, contributionText(l))
		}
		if len(t.Items) == 0 {
			t.Body = "Aucun pour l'instant."
		}
		first.Sections = append(first.Sections, report.Section{Title: list.title, Blocks: []report.Block{t}})
	}
	if len(syn.Priorities) > 0 {
		t := report.Table{Caption: "Priorités votées", Columns: []string{"Territoire", "Votes"}}
		for _, p := range syn.Priorities {
			t.Rows = append(t.Rows, []string{p.Territory.Name, strconv.Itoa(p.Votes)})
		}
		first.Sections = append(first.Sections, report.Section{Blocks: []report.Block{t}})
	}
	pages := []report.Page{first}
	if len(syn.Steps) == 0 {
		return pages, nil
	}
	views := report.Page{Title: syn.Title + " : les cartes de l'atelier", Notice: notice}
	for _, st := range syn.Steps {
		sec := report.Section{Title: st.Title}
		if st.Error != "" {
			sec.Blocks = append(sec.Blocks, report.Text{Body: st.Error})
			views.Sections = append(views.Sections, sec)
			continue
		}
		q := diagnostic.MapQuery{Query: diagnostic.Query{Indicator: st.Indicator, Level: st.Level, Period: st.Period, Sex: st.Sex, Sector: st.Sector}}
		if syn.Region != "" {
			q.Within = "region:" + syn.Region
		}
		ms, err := s.diag.SelectMap(ctx, q)
		if err != nil {
			sec.Blocks = append(sec.Blocks, report.Text{Body: "carte indisponible : " + err.Error()})
			views.Sections = append(views.Sections, sec)
			continue
		}
		m, err := s.diag.Map(ctx, ms)
		if err != nil {
			return nil, err
		}
		highlight := ""
		if st.Selected != nil {
			highlight = st.Selected.Code
			sec.Blocks = append(sec.Blocks, report.Text{Body: st.Selected.Name + " : " + st.Selected.Label})
		}
		sec.Blocks = append(sec.Blocks, s.drawMap(m, ms.Entry.Indicator.Decimals, mapTitle(m), highlight))
		views.Sections = append(views.Sections, sec)
	}
	return append(pages, views), nil
}

// contributionText is a retained contribution as the synthesis lists it:
// its text, its territory, the figure it was made on, its votes.
func contributionText(l workshop.ContributionLine) string {
	s := l.Text
	var about []string
	if l.Territory.Name != "" {
		about = append(about, l.Territory.Name)
	}
	if l.Figure != "" {
		about = append(about, l.Figure)
	}
	if l.Votes > 0 {
		about = append(about, strconv.Itoa(l.Votes)+" vote(s)")
	}
	if l.Author != "" {
		about = append(about, l.Author)
	}
	if len(about) > 0 {
		s += " (" + strings.Join(about, " ; ") + ")"
	}
	return s
}
