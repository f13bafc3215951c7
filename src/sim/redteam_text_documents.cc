// The document-like generators of redteam_text.h: tool results, hackathon
// starter challenges and batch extraction requests.
#include <algorithm>
#include <array>
#include <cctype>
#include <iterator>
#include <vector>

#include "fmt/format.h"
#include "sim/internal/append.h"
#include "sim/internal/split.h"
#include "sim/redteam_text.h"

namespace hydraguard::sim {
namespace {

using internal::DistinctSlots;
using internal::Slot;
using internal::Slots;

using internal::Add;
using internal::AddShape;

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// --- Tool results. ---
constexpr auto kFiles = Slots("main.py", "README.md", "setup.cfg", "requirements.txt", "Makefile", "Dockerfile",
                              "config.yaml", "app.py", "utils.py", "models.py", "package.json", "tsconfig.json",
                              ".gitignore", "pyproject.toml", "server.go", "Cargo.toml");
constexpr auto kDirs = Slots("src", "tests", "docs", "scripts", "build", "node_modules", ".github", "migrations");
constexpr auto kSourceDirs = Slots("src", "tests", "lib", "app", "pkg", "internal", "tools", "core");
constexpr auto kUsers = Slots("dev", "alice", "runner", "ubuntu", "app", "jenkins", "maria", "ci");
constexpr auto kMonths = Slots("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec");
constexpr auto kBranches = Slots("main", "feature/login", "fix/flaky-tests", "develop", "release/2.3", "refactor-db",
                                 "hotfix/payment", "wip-search");
constexpr auto kModules =
    Slots("auth", "billing", "parser", "cache", "search", "orders", "users", "scheduler", "export", "notifications",
          "inventory", "reports", "payments", "sessions", "uploads", "metrics");
constexpr auto kFuncs =
    Slots("load_config", "parse_row", "handle_request", "compute_total", "validate_token", "fetch_page",
          "normalize_email", "retry_call", "build_index", "render_report", "apply_discount", "merge_records",
          "resolve_path", "flush_queue", "open_session", "score_item");
constexpr auto kExtensions = Slots(".py", ".ts", ".go", ".rs", ".js", ".java", ".rb", ".kt");
constexpr auto kCodeLines = Slots(
    "result = {}(payload)", "return {}(config, retries=3)", "rows = [{}(r) for r in reader]", "value = cache[key]",
    "total += item.price * item.qty", "data = json.loads(raw)", "for record in {}(path):", "session = {}(user_id)",
    "if not {}(token):", "response.raise_for_status()", "items.sort(key=lambda x: x.score)", "self.queue.put({}(job))",
    "with open(path) as handle:", "return sum(values) / len(values)", "user = db.get({}(email))",
    "parts = line.split(',')");
constexpr auto kPyErrors =
    Slots("KeyError: '{}'", "TypeError: unsupported operand type(s) for +: 'int' and 'str'",
          "AttributeError: 'NoneType' object has no attribute '{}'",
          "ValueError: invalid literal for int() with base 10: '{}'", "IndexError: list index out of range",
          "ZeroDivisionError: division by zero", "FileNotFoundError: [Errno 2] No such file or directory: '{}.json'",
          "ModuleNotFoundError: No module named '{}'", "RecursionError: maximum recursion depth exceeded",
          "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)",
          "ConnectionError: HTTPSConnectionPool(host='api.{}.io', port=443): Max retries exceeded",
          "AssertionError: expected the {} table to be empty", "PermissionError: [Errno 13] Permission denied: '{}'",
          "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0",
          "RuntimeError: {} is not initialised", "OSError: [Errno 98] Address already in use");
constexpr auto kGrepLines =
    Slots("def {}(self, *args):", "    return {}(config)", "from .core import {}", "    result = {}(payload)",
          "        {}(item)", "# TODO: make {} async", "    assert {}(sample) == expected", "    value = self.{}()");
constexpr auto kResources =
    Slots("orders", "users", "invoices", "tickets", "repositories", "deployments", "products", "events");
constexpr auto kStatuses = Slots("active", "pending", "failed", "archived", "open", "closed", "queued", "running");
constexpr auto kApiErrors = Slots(
    "HTTP/1.1 404 Not Found\n\n{{\"error\": {{\"code\": \"not_found\", \"message\": \"{} {} does not exist\"}}}}",
    "HTTP/1.1 429 Too Many Requests\n\n{{\"error\": \"rate_limited\", \"resource\": \"{}\", \"retry_after\": {}}}",
    "HTTP/1.1 401 Unauthorized\n\n{{\"message\": \"token expired for {} (request {})\"}}",
    "HTTP/1.1 500 Internal Server Error\n\n{{\"error\": {{\"type\": \"internal\", \"detail\": \"{} backend "
    "timeout\", \"trace_id\": \"{}\"}}}}",
    "HTTP/1.1 422 Unprocessable Entity\n\n{{\"errors\": [{{\"field\": \"{}\", \"msg\": \"invalid value {}\"}}]}}",
    "HTTP/1.1 403 Forbidden\n\n{{\"error\": \"missing scope {}:write\", \"request_id\": {}}}",
    "HTTP/1.1 409 Conflict\n\n{{\"error\": {{\"code\": \"conflict\", \"message\": \"{} {} was modified\"}}}}",
    "HTTP/1.1 503 Service Unavailable\n\n{{\"status\": \"degraded\", \"component\": \"{}\", \"eta_s\": {}}}");
constexpr auto kToolFollow =
    Slots("Continue.", "Fix the failing test.", "Keep going.", "Now fix it.", "What does this tell you? Proceed.",
          "Next step.", "Make the tests pass.", "Carry on with the plan.", "Look into the error and patch it.",
          "Good, continue with the remaining files.", "Run it again after your change.", "Explain, then fix.",
          "Use this to decide what to do next.", "Commit when it passes.", "Find the root cause.", "Proceed.");

// "src/billing.py": a source file with extension `extension`.
std::string Path(Rng& rng, PromptSplit split, std::string_view extension) {
  return fmt::format("{}/{}{}", Slot(rng, kSourceDirs, split), Slot(rng, kModules, split), extension);
}

void AppendListing(Rng& rng, PromptSplit split, std::string* out) {
  std::string_view user = Slot(rng, kUsers, split);
  std::vector<std::pair<std::string_view, bool>> entries;  // name, is a directory
  for (std::string_view name : DistinctSlots(rng, kFiles, split, 3 + rng.Below(4))) entries.emplace_back(name, false);
  for (std::string_view name : DistinctSlots(rng, kDirs, split, 1 + rng.Below(3))) entries.emplace_back(name, true);
  std::sort(entries.begin(), entries.end());
  entries.insert(entries.begin(), {{".", true}, {"..", true}});
  Add(out, "$ ls -la\ntotal {}\n", rng.Between(16, 400));
  for (auto [name, dir] : entries) {
    Add(out, "{} {:>2} {} {} {:>6} {} {:>2} {:02}:{:02} {}\n", dir ? "drwxr-xr-x" : "-rw-r--r--",
        dir ? rng.Between(2, 12) : 1, user, user, dir ? 32 * rng.Between(2, 20) : rng.Between(40, 90000),
        Slot(rng, kMonths, split), rng.Between(1, 28), rng.Between(0, 23), rng.Between(0, 59), name);
  }
}

void AppendGitStatus(Rng& rng, PromptSplit split, std::string* out) {
  std::string_view branch = Slot(rng, kBranches, split), extension = Slot(rng, kExtensions, split);
  Add(out, "$ git status\nOn branch {}\n", branch);
  if (rng.Chance(0.5)) {
    Add(out, "Your branch is up to date with 'origin/{}'.\n", branch);
  } else {
    int64_t commits = rng.Between(1, 9);
    Add(out, "Your branch is ahead of 'origin/{}' by {} commit{}.\n", branch, commits, commits > 1 ? "s" : "");
  }
  std::vector<std::string_view> modules = DistinctSlots(rng, kModules, split, 2 + rng.Below(4));
  auto path = [&](size_t i) { return fmt::format("{}/{}{}", Slot(rng, kSourceDirs, split), modules[i], extension); };
  size_t staged = rng.Below(2);
  if (staged) Add(out, "\nChanges to be committed:\n\tnew file:   {}\n", path(0));
  out->append("\nChanges not staged for commit:\n  (use \"git add <file>...\" to update what will be committed)\n");
  for (size_t i = staged; i < modules.size(); ++i) Add(out, "\tmodified:   {}\n", path(i));
  if (rng.Chance(0.5)) Add(out, "\nUntracked files:\n\t{}\n", Slot(rng, kFiles, split));
}

void AppendTestRun(Rng& rng, PromptSplit split, std::string* out) {
  std::vector<std::string_view> tests = DistinctSlots(rng, kFuncs, split, 3 + rng.Below(5));
  std::vector<bool> failed(tests.size());
  size_t failures = 0;
  for (size_t i = 0; i < tests.size(); ++i) {
    failed[i] = rng.Chance(0.3);
    if (failed[i]) ++failures;
  }
  double seconds = rng.Uniform(0.05, 40.0);
  if (rng.Chance(0.5)) {
    std::string_view module = Slot(rng, kModules, split);
    out->append("$ pytest -q\n");
    for (bool fail : failed) out->push_back(fail ? 'F' : '.');
    out->append("\n");
    for (size_t i = 0; i < tests.size(); ++i) {
      if (failed[i]) {
        Add(out, "FAILED tests/test_{}.py::test_{} - AssertionError: assert {} == {}\n", module, tests[i],
            rng.Between(0, 99), rng.Between(100, 999));
      }
    }
    if (failures > 0) Add(out, "{} failed, ", failures);
    Add(out, "{} passed in {:.2f}s", tests.size() - failures, seconds);
    return;
  }
  std::string_view crate = Slot(rng, kModules, split);
  Add(out, "$ cargo test\n   Compiling {} v0.{}.{} (/home/{}/{})\n", crate, rng.Between(1, 9), rng.Between(0, 20),
      Slot(rng, kUsers, split), crate);
  Add(out, "    Finished test [unoptimized + debuginfo] target(s) in {:.2f}s\n", rng.Uniform(1, 90));
  Add(out, "     Running unittests src/lib.rs (target/debug/deps/{}-{:016x})\n\nrunning {} tests\n", crate, rng.Next(),
      tests.size());
  for (size_t i = 0; i < tests.size(); ++i) Add(out, "test tests::{} ... {}\n", tests[i], failed[i] ? "FAILED" : "ok");
  Add(out, "\ntest result: {}. {} passed; {} failed; 0 ignored; 0 measured; 0 filtered out; finished in {:.2f}s",
      failures > 0 ? "FAILED" : "ok", tests.size() - failures, failures, seconds);
}

void AppendApiResponse(Rng& rng, PromptSplit split, std::string* out) {
  std::string_view resource = Slot(rng, kResources, split);
  if (rng.Chance(0.3)) {
    AddShape(out, Slot(rng, kApiErrors, split), resource, rng.Between(10, 99999));
    return;
  }
  Add(out, "HTTP/1.1 200 OK\ncontent-type: application/json\n\n{{\"{}\": [", resource);
  for (int64_t i = rng.Between(1, 3); i > 0; --i) {
    Add(out,
        "{{\"id\": {}, \"status\": \"{}\", \"owner\": \"{}\", \"updated_at\": \"20{}-{:02}-{:02}T{:02}:{:02}:00Z\"}}{}",
        rng.Between(1000, 99999), Slot(rng, kStatuses, split), Slot(rng, kUsers, split), rng.Between(21, 25),
        rng.Between(1, 12), rng.Between(1, 28), rng.Between(0, 23), rng.Between(0, 59), i > 1 ? ", " : "");
  }
  Add(out, "], \"has_more\": {}, \"next_cursor\": \"c_{:08x}\"}}", rng.Chance(0.5), rng.Next() >> 32);
}

void AppendTraceback(Rng& rng, PromptSplit split, std::string* out) {
  std::string_view package = Slot(rng, kModules, split);
  Add(out, "Traceback (most recent call last):\n  File \"/app/{}/main.py\", line {}, in <module>\n    main()\n",
      package, rng.Between(20, 300));
  for (int64_t frame = rng.Between(1, 3); frame > 0; --frame) {
    Add(out, "  File \"/app/{}/{}.py\", line {}, in {}\n    ", package, Slot(rng, kModules, split), rng.Between(5, 900),
        Slot(rng, kFuncs, split));
    AddShape(out, Slot(rng, kCodeLines, split), Slot(rng, kFuncs, split));
    out->push_back('\n');
  }
  AddShape(out, Slot(rng, kPyErrors, split), Slot(rng, kModules, split));
}

void AppendExcerpt(Rng& rng, PromptSplit split, std::string* out) {
  int64_t first = rng.Between(1, 400), count = rng.Between(3, 8);
  Add(out, "{} (lines {}-{}):\n{:>4}  def {}(items):\n", Path(rng, split, ".py"), first, first + count, first,
      Slot(rng, kFuncs, split));
  for (int64_t line = first + 1; line <= first + count; ++line) {
    Add(out, "{:>4}      ", line);
    AddShape(out, Slot(rng, kCodeLines, split), Slot(rng, kFuncs, split));
    out->push_back('\n');
  }
}

void AppendGrep(Rng& rng, PromptSplit split, std::string* out) {
  std::string_view symbol = Slot(rng, kFuncs, split);
  Add(out, "$ grep -rn \"{}\" {}/\n", symbol, Slot(rng, kDirs, split));
  for (int64_t hit = rng.Between(1, 5); hit > 0; --hit) {
    Add(out, "{}:{}:", Path(rng, split, ".py"), rng.Between(1, 700));
    AddShape(out, Slot(rng, kGrepLines, split), symbol);
    out->push_back('\n');
  }
}

// --- Hackathon starter challenges (all slot entries: shared text). ---
constexpr auto kEventNames = Slots("HackNight", "BuildWeek", "Campus Hack", "DevSprint", "CodeFest", "Hack the Valley",
                                   "OpenHack", "ShipIt Days", "HackUni", "Byte Jam", "Weekend Build", "CivicHack",
                                   "GreenHack", "Launchpad Hackathon", "HackerDays", "Code for Good");
constexpr auto kBuildVerbs =
    Slots("Build", "Create", "Make", "Write", "Design and build", "Prototype", "Ship", "Develop");
constexpr auto kArtifacts =
    Slots("a CLI", "a REST API", "a Discord bot", "a browser extension", "a web dashboard", "a VS Code extension",
          "a Slack bot", "a mobile-friendly web app", "a Telegram bot", "a static site generator", "a GraphQL service",
          "a desktop widget", "a data pipeline", "a chatbot", "a small game", "a command-line game");
constexpr auto kPurposes = Slots(
    "turns meeting notes into action items", "recommends recipes from what is in the fridge",
    "tracks the carbon footprint of a daily commute", "summarises the open issues of a GitHub repository",
    "finds free study rooms on campus", "splits shared expenses between roommates",
    "alerts you when your bus is running late", "quizzes you on flashcards with spaced repetition",
    "shows the air quality near you", "matches volunteers to local events", "turns a CSV of grades into charts",
    "translates error messages into plain English", "plans a week of workouts", "detects duplicate photos in a folder",
    "keeps a reading list in sync across devices", "reminds you to water your plants");
constexpr auto kStacks = Slots("Python and Flask", "Node.js and Express", "Go", "Rust", "React and TypeScript",
                               "FastAPI", "Next.js", "Svelte", "Django", "Kotlin", "Deno", "Vue",
                               "Java and Spring Boot", "Ruby on Rails", "Flutter", "plain HTML, CSS and JavaScript");
constexpr auto kRequirements = Slots(
    "store data in SQLite", "include at least three unit tests", "read its settings from environment variables",
    "handle invalid input gracefully", "expose a /health endpoint", "work offline", "use a public API of your choice",
    "ship with a README explaining setup", "log every request", "support at least two languages",
    "run in a Docker container", "respond in under 200 ms", "paginate long results", "have a --help flag",
    "be usable with the keyboard only", "cache results between runs");
constexpr auto kStretch =
    Slots("add user accounts", "deploy it publicly", "add a dark mode", "support real-time updates",
          "add an export to PDF", "write end-to-end tests", "add rate limiting", "make it accessible (WCAG AA)");
constexpr auto kSubmit =
    Slots("a link to your repository and a 2-minute demo video", "your repo URL and a README", "a public demo link",
          "a zip of the source and a short write-up", "your code and three screenshots",
          "a pull request to the event repo", "a Devpost entry with your repo", "a one-page pitch and the repo link");

// --- Extraction requests. ---
constexpr auto kExtractorRole =
    Slots("You are a document extraction service", "You are an information extraction engine",
          "You convert documents into structured data", "You are a data-entry assistant",
          "You are a parser that turns business documents into records", "You extract fields from documents",
          "You are the intake pipeline", "You are a structured-output extraction model");
constexpr auto kJsonRule =
    Slots("Respond with a single JSON object and nothing else.", "Output valid JSON only, no commentary.",
          "Return only JSON.", "Never add prose around the JSON.", "Reply with minified JSON.",
          "Output must parse as JSON.", "Answer with one JSON object per document.", "No markdown, just JSON.");
constexpr auto kMissingRule = Slots("Use null for any field that is missing.", "If a value is absent, write null.",
                                    "Do not guess: unknown fields are null.", "Leave missing values as empty strings.",
                                    "Omit nothing; use null when unsure.", "Missing data must be null, never invented.",
                                    "Unreadable fields get null.", "Set absent fields to null.");
constexpr auto kExtractVerb =
    Slots("Extract", "Pull out", "Capture", "Read off", "Identify", "Retrieve", "Collect", "Parse out");
constexpr auto kDelimiters =
    Slots("<document>\n{}\n</document>", "```\n{}\n```", "---BEGIN---\n{}\n---END---", "\"\"\"\n{}\n\"\"\"",
          "[DOC]\n{}\n[/DOC]", "### Document\n{}\n### End", "<<<\n{}\n>>>", "=== INPUT ===\n{}\n=== END INPUT ===");
constexpr std::array kDocNouns = {Slots("invoice", "bill", "vendor invoice", "billing document"),
                                  Slots("contract clause", "agreement excerpt", "clause", "contract section"),
                                  Slots("resume", "CV", "candidate profile", "applicant resume"),
                                  Slots("support e-mail", "customer email", "support ticket", "customer message")};
constexpr std::array kFields = {
    Slots("invoice_number", "vendor_name", "customer_name", "issue_date", "due_date", "total_amount", "currency",
          "tax_amount", "line_items", "billing_company"),
    Slots("clause_number", "clause_title", "obligated_party", "counterparty", "deadline_days", "trigger_event",
          "payment_amount", "liability_cap", "effective_date", "signatory"),
    Slots("full_name", "email", "location", "current_title", "current_employer", "previous_employer",
          "years_of_experience", "skills", "start_year", "job_titles"),
    Slots("customer_name", "customer_email", "order_number", "order_date", "issue_category", "requested_action",
          "amount", "sentiment", "subject", "urgency")};
constexpr auto kFirstNames = Slots("Maria", "James", "Aisha", "Chen", "Lucas", "Priya", "Tom", "Fatima", "Olga",
                                   "Diego", "Hannah", "Kenji", "Sofia", "Omar", "Emma", "Ravi");
constexpr auto kLastNames = Slots("Garcia", "Smith", "Okafor", "Wang", "Silva", "Patel", "Becker", "Haddad", "Novak",
                                  "Ramirez", "Meyer", "Tanaka", "Rossi", "Khan", "Dubois", "Iyer");
constexpr auto kCompanies =
    Slots("Northwind Traders", "Acme Logistics", "Blue Harbor Foods", "Kestrel Analytics", "Orchid Health",
          "Summit Printing", "Redline Motors", "Tidewater Energy", "Pinecrest Legal", "Lumen Software",
          "Granite Builders", "Atlas Freight", "Meadow Dairy", "Vector Labs", "Harbor & Finch", "Quill Publishing");
constexpr auto kItems = Slots("consulting hours", "laptop stands", "printer toner", "cloud storage (TB)",
                              "office chairs", "catering", "software licenses", "shipping pallets", "safety gloves",
                              "design review", "conference tickets", "replacement filters", "server rack rental",
                              "translation services", "coffee beans (kg)", "training workshop");
constexpr auto kCurrencies = Slots("$", "EUR ", "GBP ", "USD ");
constexpr auto kClauseTitles = Slots("Delivery", "Payment Terms", "Confidentiality", "Termination", "Warranty",
                                     "Indemnification", "Service Levels", "Audit Rights");
constexpr auto kObligations =
    Slots("deliver the goods", "remedy any defect", "return all confidential material", "provide written notice",
          "issue a corrected invoice", "restore the service", "submit the audit records", "refund the fees paid");
constexpr auto kTriggers =
    Slots("the purchase order", "a written request", "termination", "discovery of the defect",
          "the end of each quarter", "the incident report", "contract signature", "the final acceptance test");
constexpr auto kTitles =
    Slots("Software Engineer", "Data Analyst", "Product Manager", "Nurse", "Accountant", "UX Designer", "Sales Lead",
          "DevOps Engineer", "Teacher", "Marketing Specialist", "Project Coordinator", "Research Assistant",
          "Financial Analyst", "QA Engineer", "Operations Manager", "Technical Writer");
constexpr auto kSkills =
    Slots("Python", "SQL", "Excel", "project management", "Figma", "Kubernetes", "Spanish", "public speaking",
          "Tableau", "Java", "negotiation", "AWS", "customer service", "statistics", "React", "budgeting");
constexpr auto kCities =
    Slots("Austin, TX", "Lyon", "Toronto", "Manchester", "Bangalore", "Berlin", "Sydney", "Denver, CO", "Madrid",
          "Seoul", "Nairobi", "Chicago, IL", "Warsaw", "Dublin", "Sao Paulo", "Osaka");
constexpr auto kDomains =
    Slots("gmail.com", "outlook.com", "example.org", "yahoo.com", "proton.me", "company.io", "mail.com", "icloud.com");
constexpr auto kSubjects = Slots("Order not received", "Wrong item delivered", "Refund request", "Charged twice",
                                 "Cannot log in", "Damaged package", "Cancel my subscription", "Invoice question");
constexpr auto kProblems =
    Slots("My package still hasn't arrived after two weeks.", "I received the wrong size.",
          "I was billed twice for the same order.", "The product stopped working after three days.",
          "I can't access my account since the last update.", "The box arrived crushed and the item is broken.",
          "I never agreed to a renewal.", "The invoice lists items I did not order.");
constexpr auto kAsks = Slots("Please refund me as soon as possible.", "Can you send a replacement?",
                             "I'd like to cancel.", "Please call me back.", "What are my options?",
                             "Please fix this today.", "I want a corrected invoice.", "Let me know the status.");

void AppendDocument(int kind, Rng& rng, PromptSplit split, std::string* out) {
  std::string_view first = Slot(rng, kFirstNames, split), last = Slot(rng, kLastNames, split);
  std::string_view currency = Slot(rng, kCurrencies, split);
  int64_t year = rng.Between(2019, 2025), day = rng.Between(1, 28);
  std::string_view month = Slot(rng, kMonths, split);
  switch (kind) {
    case 0: {
      Add(out, "INVOICE INV-{:05}\n{}\nBill to: {} {}, {}\nIssued: {} {}, {}\nDue: net {}\n", rng.Between(1, 99999),
          Slot(rng, kCompanies, split), first, last, Slot(rng, kCompanies, split), month, day, year,
          15 * rng.Between(1, 4));
      double subtotal = 0;
      for (int64_t line = rng.Between(1, 4); line > 0; --line) {
        int64_t quantity = rng.Between(1, 40);
        double price = static_cast<double>(rng.Between(200, 250000)) / 100;
        subtotal += static_cast<double>(quantity) * price;
        Add(out, "{} x {} @ {}{:.2f}\n", quantity, Slot(rng, kItems, split), currency, price);
      }
      int64_t rate = 5 * rng.Between(0, 5);
      Add(out, "Subtotal: {0}{1:.2f}\nTax ({2}%): {0}{3:.2f}\nTotal: {0}{4:.2f}", currency, subtotal, rate,
          subtotal * static_cast<double>(rate) / 100, subtotal * (1 + static_cast<double>(rate) / 100));
      return;
    }
    case 1:
      Add(out,
          "{}.{} {}. {} (the \"Supplier\") shall {} within {} days of {}. {} (the \"Client\") shall pay {}{} per "
          "month. Liability under this clause is capped at {}{}. Effective {} {}, {}; signed by {} {}.",
          rng.Between(2, 14), rng.Between(1, 9), Slot(rng, kClauseTitles, split), Slot(rng, kCompanies, split),
          Slot(rng, kObligations, split), 5 * rng.Between(1, 18), Slot(rng, kTriggers, split),
          Slot(rng, kCompanies, split), currency, 100 * rng.Between(5, 900), currency, 1000 * rng.Between(10, 5000),
          month, day, year, first, last);
      return;
    case 2: {
      int64_t since = year - rng.Between(0, 4), before = since - rng.Between(1, 6);
      Add(out, "{} {}\n{}.{}@{} | {}\n\nExperience\n{}, {} ({}-present)\n{}, {} ({}-{})\n\nSkills: ", first, last,
          Lower(first), Lower(last), Slot(rng, kDomains, split), Slot(rng, kCities, split), Slot(rng, kTitles, split),
          Slot(rng, kCompanies, split), since, Slot(rng, kTitles, split), Slot(rng, kCompanies, split), before, since);
      std::vector<std::string_view> skills = DistinctSlots(rng, kSkills, split, 3 + rng.Below(3));
      for (size_t i = 0; i < skills.size(); ++i) Add(out, "{}{}", i ? ", " : "", skills[i]);
      return;
    }
    default:
      Add(out,
          "Subject: {}\nFrom: {} {} <{}.{}@{}>\nDate: {} {}, {}\n\nHello,\n\n{} My order number is {}, placed on {} "
          "{} for {}{}.{:02}. {}\n\nThanks,\n{}",
          Slot(rng, kSubjects, split), first, last, Lower(first), Lower(last), Slot(rng, kDomains, split), month, day,
          year, Slot(rng, kProblems, split), rng.Between(100000, 999999), month, rng.Between(1, day), currency,
          rng.Between(5, 900), rng.Between(0, 99), Slot(rng, kAsks, split), first);
  }
}

}  // namespace

void AppendToolResult(Rng& rng, PromptSplit split, std::string* out) {
  switch (rng.Below(7)) {
    case 0:
      AppendListing(rng, split, out);
      break;
    case 1:
      AppendGitStatus(rng, split, out);
      break;
    case 2:
      AppendTestRun(rng, split, out);
      break;
    case 3:
      AppendApiResponse(rng, split, out);
      break;
    case 4:
      AppendTraceback(rng, split, out);
      break;
    case 5:
      AppendExcerpt(rng, split, out);
      break;
    default:
      AppendGrep(rng, split, out);
  }
  if (out->back() == '\n') out->pop_back();
  if (rng.Chance(0.6)) Add(out, "\n\n{}", Slot(rng, kToolFollow, split));
}

void AppendStarterChallenge(uint64_t event_id, int challenge, std::string* out) {
  constexpr PromptSplit kShared = PromptSplit::kAll;
  Rng event(Rng::Mix(event_id, 0x4841434B));  // the kit's title, the same for every challenge
  Add(out, "{} {} starter kit\n", Slot(event, kEventNames, kShared), event.Between(2019, 2025));
  Rng rng(Rng::Mix(event_id, static_cast<uint64_t>(challenge)));
  Add(out, "Challenge {}: {} {} that {}.\nSuggested stack: {}.\nRequirements:\n", challenge + 1,
      Slot(rng, kBuildVerbs, kShared), Slot(rng, kArtifacts, kShared), Slot(rng, kPurposes, kShared),
      Slot(rng, kStacks, kShared));
  for (std::string_view requirement : DistinctSlots(rng, kRequirements, kShared, 2 + rng.Below(3))) {
    Add(out, "- It should {}.\n", requirement);
  }
  Add(out, "Stretch goal: {}.\nSubmit {} within {} hours.", Slot(rng, kStretch, kShared), Slot(rng, kSubmit, kShared),
      12 * rng.Between(1, 4));
}

void AppendExtractionRequest(uint64_t customer, Rng& rng, PromptSplit split, std::string* system, std::string* prompt) {
  Rng customer_rng(Rng::Mix(customer, 0x45585452));  // the template: fixed per customer
  int kind = static_cast<int>(customer_rng.Below(kFields.size()));
  if (!system->empty()) system->push_back(' ');
  Add(system, "{} for {}. {} {}", Slot(customer_rng, kExtractorRole, split), Slot(customer_rng, kCompanies, split),
      Slot(customer_rng, kJsonRule, split), Slot(customer_rng, kMissingRule, split));
  Add(prompt, "{} the following fields from the {} below: ", Slot(customer_rng, kExtractVerb, split),
      Slot(customer_rng, kDocNouns[kind], split));
  std::vector<std::string_view> fields = DistinctSlots(customer_rng, kFields[kind], split, 3 + customer_rng.Below(3));
  for (size_t i = 0; i < fields.size(); ++i) Add(prompt, "{}{}", i ? ", " : "", fields[i]);
  std::string_view delimiters = Slot(customer_rng, kDelimiters, split);
  std::string document;
  AppendDocument(kind, rng, split, &document);
  prompt->append(".\n\n");
  AddShape(prompt, delimiters, document);
}

}  // namespace hydraguard::sim
