// Package demodata makes the FICTIVE demonstration figures of sinistralité
// (accidents du travail, maladies professionnelles) that Atlas Santé-Travail
// shows where no real territorial data exists, and converts two real INSEE /
// ANCT population tables to the importer's long CSV layout.
//
// # Why fictive data
//
// No public AT/MP figure exists by département or zone d'emploi in the
// pinned geodata (Assurance Maladie publishes them nationally by sector,
// CTN × NAF, and by regional fund). Workshops still need a sinistralité map
// with a sex and sector breakdown, small counts and a secret statistique
// that visibly acts. Everything Generate produces is invented: every row
// belongs to an indicator whose metadata says "demo": true and whose label
// ends with LabelSuffix, " (données de démonstration, fictives)". Never
// present these figures as observations of any territory.
//
// # What is real
//
// Only the magnitudes: the national 2024 frequency of work accidents with
// time off ("AT en 1er règlement" per 1 000 salariés), the national number
// of occupational diseases per 1 000 salariés and the share of salariés of
// each sector group, computed from Assurance Maladie – Risques
// professionnels, "AT 2024 par CTN × NAF" and "MP 2024 par CTN × NAF"
// (mirror files derived/at_2024_ctn_naf.csv and derived/mp_2024_ctn_naf.csv;
// the tests recompute them from the mirror). The share of women per sector
// and the women/men relative risks are rough assumptions written in
// sectors.go; they are not taken from any file.
//
// # Method
//
// For each territory (the caller passes the départements from the
// database, or the zones d'emploi; the service aggregates upward itself):
//
//  1. Salaried headcount: Territory.Employees if given, else a log-normal
//     draw (median 180 000, clamped to 12 000 .. 3 000 000), growing by
//     about 0.6 % a year, split between the 11 sector groups by the national
//     shares times a territorial log-normal noise (σ 0.35), then between
//     women and men by the sector's share of women ± noise. Every cell keeps
//     at least a few salariés so that no rate is undefined.
//  2. Expected counts: national sector rate × a région effect (σ 0.10, shared
//     by the territories with the same Region) × a territory effect (σ 0.12)
//     × a territory×sector effect (σ 0.15) × the sex factor × a mild trend
//     (AT −2 % a year, MP +3 % a year, 2024 being the national reference).
//  3. Counts: Poisson draws of those expectations, per territory, year,
//     sector and sex; a count never exceeds its headcount.
//  4. Totals are sums, never separate draws: ensemble = femmes + hommes and
//     the "ensemble" sector = Σ of the 11 groups, exactly, for numerators and
//     denominators alike, so that the secret statistique's constraints hold.
//     Rates are recomputed from the summed counts (× 1 000).
//
// # Communes
//
// The sinistralité indicators (demo-at-frequence, demo-mp-nombre) are
// drawn commune by commune where communes are imported (Occitanie and
// Auvergne-Rhône-Alpes in the demo; recipe option "finest": "commune"),
// and département by département elsewhere, so that the service computes
// zones d'emploi, départements and régions from the communes and the two
// overlapping hierarchies (commune → zone d'emploi, commune → département)
// bind the secret statistique at once. ASSUMPTIONS for communes:
//
//   - salariés = municipal population × the national ratio of salariés to
//     inhabitants (CommuneEmployees: 20.8 million salariés of the AT table
//     over the population of stats/donnees_communes.csv, about 0.31),
//     counted where they live; a commune merged since 2018, absent from
//     that table, draws a size (median 60, σ 1.3);
//   - every commune keeps 2 salariés per sector and 1 per sex (40 and 5 for
//     a département) so that no rate is 0/0: this adds about 22 fictive
//     salariés to each village;
//   - the territory effect of a commune is its département's effect (the one
//     the département would draw at its own level) times its own (σ 0.12).
//
// The 94 communes of the 2018 geography merged since have no zone d'emploi
// in the 2023 composition: they count in their département, not in a zone
// d'emploi, and the importer says so.
//
// Small territories crossed with small sectors (waste management,
// warehousing, metallurgy) and split by sex give counts below the
// threshold of 5: those cells must come out secret, and some of their
// neighbours secret too (secret induit).
//
// # Seed and determinism
//
// Every random quantity is a pure function of (Options.Seed, a key naming
// it: territory code, région, sector, sex, year), drawn from a SplitMix64
// stream written in this package (not math/rand, whose algorithms may
// change between Go releases). Hence the same seed gives the same bytes,
// whatever the order of the territories passed in, and adding a territory
// does not change the figures of the others. Rows are sorted by level,
// code, year, sector and sex.
//
// # Exposition and maintien dans l'emploi
//
// Four more fictive indicators fill the themes for which no territorial
// figure is public (SUMER and EVREST exposure surveys, inaptitude and
// disability counts are not published by département): rates per 1 000
// salariés of a column of the same AT table, drawn by the same method
// (Options.Rates holds the national rate per sector, which RatesFromAT
// computes from the mirror, so that the magnitudes are real):
//
//   - exposition: demo-at-manutention, AT with time off caused by manual
//     handling ("Manutention manuelle": 157 896 in 2024, 7.6 per 1 000),
//     and demo-at-routier, AT caused by road risk ("Risque routier":
//     10 598, 0.5 per 1 000), as indirect measures of exposure;
//   - maintien dans l'emploi: demo-ip-nouvelles, new permanent
//     incapacities after a work accident ("Nouvelles IP": 34 302, 1.6 per
//     1 000), and demo-ip-graves, those of a rate of 10 % or more ("dont IP
//     avec taux ≥ 10%": 12 397, 0.6 per 1 000), which signal a risk of
//     désinsertion professionnelle.
//
// ASSUMPTIONS: they share the fictive salariés of demo-at-frequence (the
// headcount draws do not depend on the indicator), the AT sex risks and
// the AT trend; their counts are drawn independently of the AT counts, so
// that in a small cell a cause count may exceed the all-cause count.
//
// # Prévention
//
// Neither a territorial nor a national prévention figure is in the pinned
// geodata, so the two prévention indicators borrow a real sector profile
// and ASSUME the national level (Options.Rates = RatesFromAT × the
// recipe's rate_scale):
//
//   - demo-prev-actions, interventions of the caisses (Carsat, MSA) in
//     firms per 1 000 salariés: ASSUMED to target sectors in proportion to
//     their AT frequency ("AT en 1er règlement" × 0.1, about 2.6 per 1 000);
//   - demo-prev-aides, prevention grants (subventions prévention TPE,
//     contrats de prévention) per 1 000 salariés: ASSUMED to follow manual
//     handling, the first target of the TMS programmes ("Manutention
//     manuelle" × 0.05, about 0.4 per 1 000).
//
// Both grow by 4 % a year and have the same rate for women and men of a
// sector (an action reaches an establishment); higher is better.
//
// # Sectors
//
// The 10 sectors with the most work accidents named in the diagnostic
// documents, as NAF rév. 2 codes, plus SectorOther for everything else, so
// that the groups partition all salariés: 87 hébergement médico-social et
// social, 88 action sociale sans hébergement, 78.20Z travail temporaire,
// 52.10 entreposage, 49 transports terrestres, 81 nettoyage et aménagement
// paysager, 56 restauration, F construction, 38 gestion des déchets, CH
// métallurgie et produits métalliques (A38, divisions 24-25).
//
// The same bytes for the same seed hold for a given platform: the draws
// use math.Exp, Log and Cos, whose last bit may differ on architectures
// with assembly implementations; TestGenerateGolden pins a few rows.
package demodata
