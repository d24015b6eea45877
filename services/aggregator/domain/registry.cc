#include "services/aggregator/domain/registry.h"

#include "absl/strings/str_cat.h"

namespace jit::aggregator {
namespace {

const LocalText kCumulativeWindow{
    "Depuis le début du programme (cumul : ne baisse jamais).",
    "منذ بداية البرنامج (تراكمي: لا ينخفض أبدا)."};
const LocalText kCurrentWindow{
    "À la date de la vue (actuel : baisse quand les stagiaires sortent).",
    "في تاريخ العرض (حالي: ينخفض عند خروج المتدربين)."};
const LocalText kJourneyNote{
    "Unité : un parcours (stagiaire × cohorte) ; un candidat inscrit dans "
    "deux cohortes compte deux fois.",
    "الوحدة: مسار (متدرب × فوج)؛ المترشح المسجل في فوجين يحتسب مرتين."};

MetricDefinition Count(std::string id, Counter counter, MetricKind kind,
                       LocalText title, LocalText numerator,
                       LocalText exclusions, LocalText series_date,
                       bool key) {
  MetricDefinition m;
  m.id = std::move(id);
  m.title = std::move(title);
  m.description = kJourneyNote;
  m.kind = kind;
  m.unit = MetricUnit::kTrainees;
  m.numerator = std::move(numerator);
  m.exclusions = std::move(exclusions);
  m.time_window = kind == MetricKind::kCurrent ? kCurrentWindow : kCumulativeWindow;
  m.series_date = std::move(series_date);
  m.key_figure = key;
  m.formula = Formula::kCount;
  m.counter = counter;
  return m;
}

MetricDefinition PlacementRate(int months, bool closed) {
  const std::string n = absl::StrCat(months);
  MetricDefinition m;
  m.id = absl::StrCat("placement_rate_", n, "m", closed ? "" : "_provisional");
  m.kind = MetricKind::kRatio;
  m.unit = MetricUnit::kRatio;
  m.formula = closed ? Formula::kPlacementClosed : Formula::kPlacementOpen;
  m.months = months;
  m.provisional = !closed;
  m.key_figure = closed && months == 6;
  if (closed) {
    m.title = {absl::StrCat("Taux d'insertion à ", n, " mois"),
               absl::StrCat("نسبة الإدماج المهني بعد ", n, " أشهر")};
    if (months == 12) m.title.ar = "نسبة الإدماج المهني بعد 12 شهرا";
    m.description = {
        absl::StrCat("Part des lauréats en emploi dans les ", n,
                     " mois suivant la fin de leur formation, sur les seules "
                     "fenêtres closes : un chiffre définitif."),
        absl::StrCat("حصة الخريجين الذين حصلوا على شغل خلال ", n,
                     " أشهر بعد نهاية تكوينهم، على النوافذ المغلقة فقط: رقم نهائي.")};
    m.denominator = {
        absl::StrCat("Lauréats (formation achevée) dont la fenêtre est close : "
                     "date d'achèvement + ", n, " mois ≤ date de la vue"),
        absl::StrCat("الخريجون (أتموا التكوين) الذين أغلقت نافذتهم: تاريخ الإتمام + ",
                     n, " أشهر ≤ تاريخ العرض")};
    m.time_window = {
        absl::StrCat(n, " mois calendaires après la date d'achèvement ; seules "
                        "les fenêtres closes à la date de la vue comptent."),
        absl::StrCat(n, " أشهر ميلادية بعد تاريخ الإتمام؛ تحتسب فقط النوافذ "
                        "المغلقة في تاريخ العرض.")};
  } else {
    m.title = {absl::StrCat("Taux d'insertion à ", n, " mois (provisoire)"),
               absl::StrCat("نسبة الإدماج بعد ", n, " أشهر (مؤقتة)")};
    if (months == 12) m.title.ar = "نسبة الإدماج بعد 12 شهرا (مؤقتة)";
    m.description = {
        absl::StrCat("PROVISOIRE : lauréats déjà en emploi parmi ceux dont la "
                     "fenêtre de ", n, " mois est encore ouverte ; ce taux ne "
                     "peut que monter d'ici la clôture."),
        absl::StrCat("مؤقت: الخريجون الذين حصلوا على شغل من بين من لا تزال نافذة ",
                     n, " أشهر مفتوحة لديهم؛ هذه النسبة لا يمكن إلا أن ترتفع حتى الإغلاق.")};
    m.denominator = {
        absl::StrCat("Lauréats dont la fenêtre de ", n,
                     " mois est encore ouverte : date d'achèvement + ", n,
                     " mois > date de la vue"),
        absl::StrCat("الخريجون الذين لا تزال نافذة ", n,
                     " أشهر مفتوحة لديهم: تاريخ الإتمام + ", n,
                     " أشهر > تاريخ العرض")};
    m.time_window = {
        absl::StrCat("Fenêtres de ", n, " mois encore ouvertes à la date de la "
                                        "vue (provisoire)."),
        absl::StrCat("نوافذ ", n, " أشهر التي لا تزال مفتوحة في تاريخ العرض (مؤقت).")};
  }
  m.numerator = {
      absl::StrCat("Lauréats dont un emploi salarié (CDI, CDD) ou une activité "
                   "indépendante a commencé au plus tard ", n,
                   " mois après la date d'achèvement"),
      absl::StrCat("الخريجون الذين بدأوا شغلا مأجورا (عقد غير محدد أو محدد المدة) أو "
                   "نشاطا مستقلا في أجل أقصاه ", n, " أشهر بعد تاريخ الإتمام")};
  m.exclusions = {
      "Poursuite d'études dans la fenêtre sans emploi : retirée du numérateur "
      "ET du dénominateur. Les stages ne comptent pas comme emploi (le lauréat "
      "reste au dénominateur). Abandons et retraits : hors champ.",
      "متابعة الدراسة داخل النافذة دون شغل: تحذف من البسط والمقام معا. التداريب لا "
      "تحتسب شغلا (يبقى الخريج في المقام). المنقطعون والمنسحبون: خارج النطاق."};
  m.series_date = {"Date d'achèvement (fenêtres closes au jour du point)",
                   "تاريخ الإتمام (النوافذ المغلقة في يوم النقطة)"};
  return m;
}

MetricDefinition WomenShare(std::string stage_id, Counter counter,
                            LocalText stage) {
  MetricDefinition m;
  m.id = absl::StrCat("women_share_", stage_id);
  m.title = {absl::StrCat("Part des femmes — ", stage.fr),
             absl::StrCat("نسبة النساء — ", stage.ar)};
  m.description = {
      absl::StrCat("Part des femmes à l'étape « ", stage.fr, " »."),
      absl::StrCat("حصة النساء في مرحلة « ", stage.ar, " ».")};
  m.kind = MetricKind::kRatio;
  m.unit = MetricUnit::kRatio;
  m.numerator = {absl::StrCat("Femmes — ", stage.fr),
                 absl::StrCat("النساء — ", stage.ar)};
  m.denominator = {absl::StrCat("Femmes et hommes — ", stage.fr),
                   absl::StrCat("النساء والرجال — ", stage.ar)};
  m.exclusions = {"Genre non déclaré : retiré du numérateur et du dénominateur.",
                  "الجنس غير المصرح به: يحذف من البسط والمقام."};
  m.time_window = kCumulativeWindow;
  m.series_date = {"Date de l'étape", "تاريخ المرحلة"};
  m.key_figure = counter == Counter::kEnrolled;
  m.formula = Formula::kWomenShare;
  m.counter = counter;
  return m;
}

std::vector<MetricDefinition> Build() {
  std::vector<MetricDefinition> all;
  const LocalText none{"Aucune.", "لا شيء."};
  all.push_back(Count(
      "applicants", Counter::kApplied, MetricKind::kCumulative,
      {"Candidatures", "الترشيحات"},
      {"Parcours ayant au moins un événement du service des inscriptions "
       "(candidature déposée)",
       "المسارات التي لها حدث واحد على الأقل من مصلحة التسجيل (ترشيح مودع)"},
      {"Aucune ; un refus ne retire pas la candidature.",
       "لا شيء؛ الرفض لا يلغي الترشيح."},
      {"Date de la candidature", "تاريخ الترشيح"}, true));
  all.push_back(Count(
      "admitted", Counter::kAdmitted, MetricKind::kCumulative,
      {"Admis", "المقبولون"},
      {"Candidatures admises, ou parvenues à une étape qui l'implique "
       "(inscription, formation)",
       "الترشيحات المقبولة، أو التي بلغت مرحلة تستلزم ذلك (تسجيل، تكوين)"},
      {"Refus ; candidatures en attente ou en liste d'attente.",
       "المرفوضون؛ الترشيحات قيد الانتظار أو في لائحة الانتظار."},
      {"Date d'admission", "تاريخ القبول"}, false));
  all.push_back(Count(
      "waitlisted_now", Counter::kWaitlistedNow, MetricKind::kCurrent,
      {"En liste d'attente", "في لائحة الانتظار"},
      {"Candidatures dont l'étape la plus récente est la mise en liste "
       "d'attente",
       "الترشيحات التي آخر مرحلة لها هي الإدراج في لائحة الانتظار"},
      {"Sorties de la liste : admission, refus, ou étape ultérieure connue.",
       "الخروج من اللائحة: القبول أو الرفض أو مرحلة لاحقة معروفة."},
      {"+1 à l'entrée en liste, −1 à la sortie", "+1 عند الإدراج، −1 عند الخروج"},
      false));
  all.push_back(Count(
      "enrolled", Counter::kEnrolled, MetricKind::kCumulative,
      {"Inscrits (cumul)", "المسجلون (تراكمي)"},
      {"Parcours dont l'inscription est confirmée (ou qui ont une trace de "
       "formation)",
       "المسارات التي تأكد تسجيلها (أو التي لها أثر في التكوين)"},
      {"Admis n'ayant pas confirmé ; désistements avant inscription.",
       "المقبولون الذين لم يؤكدوا؛ المتراجعون قبل التسجيل."},
      {"Date d'inscription", "تاريخ التسجيل"}, false));
  all.push_back(Count(
      "enrolled_now", Counter::kEnrolledNow, MetricKind::kCurrent,
      {"Inscrits actuellement", "المسجلون حاليا"},
      {"Inscrits pas encore sortis (ni formation achevée, ni abandon, ni "
       "retrait)",
       "المسجلون الذين لم يخرجوا بعد (لا إتمام ولا انقطاع ولا انسحاب)"},
      {"Sortis : formation achevée, abandon, retrait.",
       "الخارجون: إتمام التكوين، الانقطاع، الانسحاب."},
      {"+1 à l'inscription, −1 à la sortie", "+1 عند التسجيل، −1 عند الخروج"},
      true));
  all.push_back(Count(
      "active_now", Counter::kActiveNow, MetricKind::kCurrent,
      {"En formation actuellement", "في طور التكوين حاليا"},
      {"Inscrits ayant commencé la formation (première présence) et pas "
       "encore sortis",
       "المسجلون الذين بدأوا التكوين (أول حضور) ولم يخرجوا بعد"},
      {"Inscrits sans présence ; sortis.", "المسجلون دون حضور؛ الخارجون."},
      {"+1 au début de la formation, −1 à la sortie",
       "+1 عند بداية التكوين، −1 عند الخروج"},
      true));
  all.push_back(Count(
      "withdrawn", Counter::kWithdrawn, MetricKind::kCumulative,
      {"Retraits", "الانسحابات"},
      {"Parcours sortis par retrait de l'inscription",
       "المسارات التي خرجت بالانسحاب من التسجيل"},
      {"Un parcours achevé n'est jamais compté comme retrait ; une seule "
       "sortie par parcours.",
       "المسار المكتمل لا يحتسب أبدا انسحابا؛ خروج واحد لكل مسار."},
      {"Date du retrait", "تاريخ الانسحاب"}, false));
  all.push_back(Count(
      "dropped_out", Counter::kDroppedOut, MetricKind::kCumulative,
      {"Abandons", "الانقطاعات عن التكوين"},
      {"Parcours sortis par un abandon déclaré (enregistré par le centre "
       "dans le suivi de la formation), à la date de l'abandon",
       "المسارات التي خرجت بانقطاع مصرح به (سجله المركز في تتبع التكوين)، في "
       "تاريخ الانقطاع"},
      {"Stagiaires signalés « à risque » après des absences injustifiées "
       "consécutives : ils restent inscrits et ne comptent pas tant que "
       "l'abandon n'est pas déclaré. Un parcours achevé n'est jamais compté "
       "comme abandon ; une seule sortie par parcours (la plus ancienne, "
       "l'abandon si un retrait tombe le même jour).",
       "المتدربون المصنفون « في خطر » بعد غيابات متتالية غير مبررة: يبقون "
       "مسجلين ولا يحتسبون ما لم يصرح بالانقطاع. المسار المكتمل لا يحتسب أبدا "
       "انقطاعا؛ خروج واحد لكل مسار (الأقدم، والانقطاع إذا وقع انسحاب في نفس "
       "اليوم)."},
      {"Date de l'abandon", "تاريخ الانقطاع"}, false));
  all.push_back(Count(
      "completed", Counter::kCompleted, MetricKind::kCumulative,
      {"Formations achevées", "أتموا التكوين"},
      {"Parcours dont tous les modules obligatoires sont validés",
       "المسارات التي تم فيها اجتياز جميع الوحدات الإجبارية"},
      none, {"Date d'achèvement", "تاريخ الإتمام"}, true));
  all.push_back(Count(
      "certified", Counter::kCertified, MetricKind::kCumulative,
      {"Certifiés", "الحاصلون على الشهادة"},
      {"Lauréats dont le certificat est valide", "الخريجون الذين شهادتهم سارية"},
      {"Certificats révoqués (une révocation corrige le cumul).",
       "الشهادات الملغاة (الإلغاء يصحح المجموع التراكمي)."},
      {"Date de délivrance", "تاريخ التسليم"}, false));
  all.push_back(Count(
      "placed", Counter::kPlaced, MetricKind::kCumulative,
      {"Insérés (emploi)", "المدمجون مهنيا"},
      {"Lauréats ayant commencé un emploi salarié (CDI, CDD) ou une activité "
       "indépendante après la formation, sans limite de délai",
       "الخريجون الذين بدأوا شغلا مأجورا (عقد غير محدد أو محدد المدة) أو نشاطا "
       "مستقلا بعد التكوين، دون أجل محدد"},
      {"Stages ; poursuite d'études ; sorties par abandon ou retrait.",
       "التداريب؛ متابعة الدراسة؛ الخروج بالانقطاع أو الانسحاب."},
      {"Début du premier emploi", "بداية أول شغل"}, false));

  MetricDefinition completion;
  completion.id = "completion_rate";
  completion.title = {"Taux d'achèvement", "نسبة إتمام التكوين"};
  completion.description = {
      "Part des stagiaires sortis de formation qui l'ont achevée.",
      "حصة المتدربين الخارجين من التكوين الذين أتموه."};
  completion.kind = MetricKind::kRatio;
  completion.unit = MetricUnit::kRatio;
  completion.numerator = {"Formations achevées", "أتموا التكوين"};
  completion.denominator = {"Sortis de formation : achevée + abandon + retrait",
                            "الخارجون من التكوين: إتمام + انقطاع + انسحاب"};
  completion.exclusions = {
      "Stagiaires encore en formation (ni au numérateur ni au dénominateur).",
      "المتدربون الذين لا يزالون في طور التكوين (لا في البسط ولا في المقام)."};
  completion.time_window = {"Toutes les sorties depuis le début du programme.",
                            "جميع حالات الخروج منذ بداية البرنامج."};
  completion.series_date = {"Date de sortie", "تاريخ الخروج"};
  completion.key_figure = true;
  completion.formula = Formula::kCompletionRate;
  all.push_back(completion);

  all.push_back(PlacementRate(6, true));
  all.push_back(PlacementRate(6, false));
  all.push_back(PlacementRate(12, true));
  all.push_back(PlacementRate(12, false));

  MetricDefinition median;
  median.id = "median_days_to_placement";
  median.title = {"Délai médian jusqu'à l'emploi", "المدة الوسيطة للحصول على شغل"};
  median.description = {
      "Médiane du nombre de jours entre la fin de la formation et le début du "
      "premier emploi (moyenne des deux valeurs centrales si leur nombre est "
      "pair).",
      "وسيط عدد الأيام بين نهاية التكوين وبداية أول شغل (متوسط القيمتين "
      "الوسطيين إذا كان عددهما زوجيا)."};
  median.kind = MetricKind::kMedian;
  median.unit = MetricUnit::kDays;
  median.numerator = {
      "Jours de la date d'achèvement au début du premier emploi (salarié ou "
      "indépendant) de chaque lauréat inséré",
      "الأيام من تاريخ الإتمام إلى بداية أول شغل (مأجور أو مستقل) لكل خريج مدمج"};
  median.denominator = {"Observations : lauréats insérés",
                        "المشاهدات: الخريجون المدمجون"};
  median.exclusions = {
      "Lauréats sans emploi (aucune observation) ; stages ; poursuite "
      "d'études ; abandons et retraits.",
      "الخريجون بدون شغل (لا مشاهدة)؛ التداريب؛ متابعة الدراسة؛ المنقطعون "
      "والمنسحبون."};
  median.time_window = {"Tous les premiers emplois connus, sans limite de délai.",
                        "جميع أول مناصب الشغل المعروفة، دون أجل محدد."};
  median.series_date = {"Début du premier emploi", "بداية أول شغل"};
  median.formula = Formula::kMedianDaysToJob;
  all.push_back(median);

  MetricDefinition retention;
  retention.id = "retention_same_employer_6m";
  retention.title = {"Maintien chez le même employeur à 6 mois",
                     "الاستمرار لدى نفس المشغل بعد 6 أشهر"};
  retention.description = {
      "Part des lauréats insérés encore chez le même employeur au suivi de +6 "
      "mois après la sortie.",
      "حصة الخريجين المدمجين الذين لا يزالون لدى نفس المشغل عند تتبع +6 أشهر بعد "
      "الخروج."};
  retention.kind = MetricKind::kRatio;
  retention.unit = MetricUnit::kRatio;
  retention.numerator = {"Suivis à +6 mois avec le résultat « même employeur »",
                         "تتبعات +6 أشهر بنتيجة « نفس المشغل »"};
  retention.denominator = {
      "Lauréats insérés dont le suivi à +6 mois a un résultat connu (même "
      "employeur, autre employeur, sans emploi)",
      "الخريجون المدمجون الذين لتتبعهم بعد 6 أشهر نتيجة معروفة (نفس المشغل، مشغل "
      "آخر، بدون شغل)"};
  retention.exclusions = {
      "Injoignables et suivis sans résultat (retirés des deux côtés) ; "
      "lauréats jamais insérés.",
      "من تعذر الاتصال بهم والتتبعات بدون نتيجة (تحذف من الجهتين)؛ الخريجون غير "
      "المدمجين."};
  retention.time_window = {"Suivi à +6 mois après la sortie (dernier relevé).",
                           "التتبع بعد 6 أشهر من الخروج (آخر تسجيل)."};
  retention.series_date = {"Date du suivi", "تاريخ التتبع"};
  retention.formula = Formula::kRetention6;
  all.push_back(retention);

  all.push_back(WomenShare("applicants", Counter::kApplied,
                           {"candidatures", "الترشيحات"}));
  all.push_back(WomenShare("admitted", Counter::kAdmitted, {"admis", "المقبولون"}));
  all.push_back(WomenShare("enrolled", Counter::kEnrolled,
                           {"inscrits", "المسجلون"}));
  all.push_back(WomenShare("completed", Counter::kCompleted,
                           {"formations achevées", "أتموا التكوين"}));
  all.push_back(WomenShare("placed", Counter::kPlaced,
                           {"insérés", "المدمجون مهنيا"}));

  MetricDefinition target;
  target.id = "target_progress";
  target.title = {"Progression vers l'objectif national",
                  "التقدم نحو الهدف الوطني"};
  target.description = {
      "Stagiaires formés (formation achevée) rapportés à l'objectif national ; "
      "sur une région ou une province, sa contribution à l'objectif.",
      "المتدربون المكونون (أتموا التكوين) مقارنة بالهدف الوطني؛ على مستوى جهة أو "
      "إقليم، مساهمتها في الهدف."};
  target.kind = MetricKind::kRatio;
  target.unit = MetricUnit::kRatio;
  target.numerator = {"Formations achevées (cumul) dans le périmètre",
                      "أتموا التكوين (تراكمي) داخل النطاق"};
  target.denominator = {
      "Objectif national : dernier événement ProgrammeTargetChanged, 15 000 "
      "par défaut",
      "الهدف الوطني: آخر حدث ProgrammeTargetChanged، 15000 افتراضيا"};
  target.exclusions = {"Abandons, retraits, stagiaires encore en formation.",
                       "المنقطعون والمنسحبون والمتدربون الذين لا يزالون في التكوين."};
  target.time_window = kCumulativeWindow;
  target.series_date = {"Date d'achèvement", "تاريخ الإتمام"};
  target.formula = Formula::kTargetProgress;
  all.push_back(target);
  return all;
}

}  // namespace

const std::vector<MetricDefinition>& Metrics() {
  static const std::vector<MetricDefinition>* const kMetrics =
      new std::vector<MetricDefinition>(Build());
  return *kMetrics;
}

const MetricDefinition* FindMetric(absl::string_view id) {
  for (const MetricDefinition& m : Metrics()) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

std::vector<std::string> KeyFigureIds() {
  std::vector<std::string> ids;
  for (const MetricDefinition& m : Metrics()) {
    if (m.key_figure) ids.push_back(m.id);
  }
  return ids;
}

}  // namespace jit::aggregator
