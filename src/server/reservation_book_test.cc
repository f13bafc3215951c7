#include "server/reservation_book.h"

#include "gtest/gtest.h"

namespace hydraguard::server {
namespace {

std::vector<gateway::CellGroup> Groups(int64_t cost) {
  return {{.tag = "account:a1", .cells = {{"otpm", gateway::Rate{1000, 60'000}, cost}}}};
}

TEST(ReservationBookTest, TakenOnceThenGone) {
  ReservationBook book(10, 60'000);
  book.Put("req_1", Groups(500), 0);
  std::optional<std::vector<gateway::CellGroup>> held = book.Take("req_1", 1'000);
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->front().cells.front().cost, 500);
  EXPECT_FALSE(book.Take("req_1", 1'000).has_value());
  EXPECT_FALSE(book.Take("req_unknown", 1'000).has_value());
}

TEST(ReservationBookTest, ExpiresAndStaysBounded) {
  ReservationBook book(2, 60'000);
  book.Put("a", Groups(1), 0);
  EXPECT_FALSE(book.Take("a", 60'000).has_value());  // expired
  book.Put("b", Groups(1), 100);
  book.Put("c", Groups(1), 200);
  book.Put("d", Groups(1), 300);  // over capacity: the oldest goes
  EXPECT_EQ(book.size(), 2u);
  EXPECT_FALSE(book.Take("b", 400).has_value());
  EXPECT_TRUE(book.Take("d", 400).has_value());
  // Put again under the same id: the newer one counts.
  book.Put("e", Groups(1), 500);
  book.Put("e", Groups(7), 600);
  EXPECT_EQ(book.Take("e", 700)->front().cells.front().cost, 7);
}

}  // namespace
}  // namespace hydraguard::server
