#!/usr/bin/perl
# Fails (exit 1, file:line and the statement) when a `co_await` is not a whole
# statement or the whole right side of a declaration or assignment:
#   co_await f();                 ok
#   T value = co_await f();       ok
#   value = co_await f();         ok
#   if (x) co_await f();          ok (the statement of the if, not its condition)
#   if (!(co_await f()).ok())     refused: inside a condition
#   g(co_await f());  a ? co_await f() : b;  (void)co_await f();  co_return co_await f();   refused
# GCC 12 miscompiles co_await inside a condition (SIGILL at run time, even at
# -O0); inside any larger expression is refused too, so that no such case can
# come back. Comments and string literals are skipped.
#
# Usage: scripts/check_co_await.pl FILE_OR_DIR...   (ctest lint.co_await runs it on src, bench, fuzz)
use strict;
use warnings;
use File::Find;

my @paths;
for my $arg (@ARGV) {
  if (-d $arg) {
    find({wanted => sub { push @paths, $File::Find::name if /\.(?:cc|h)$/ }, no_chdir => 1}, $arg);
  } else {
    push @paths, $arg;
  }
}
my $failures = 0;
for my $path (sort @paths) {
  open(my $fh, '<', $path) or die "$path: $!\n";
  local $/;
  my $text = <$fh>;
  close $fh;
  # Blank out comments and literals, keeping newlines (for line numbers) and offsets.
  $text =~ s{(//[^\n]*|/\*.*?\*/|R"(\w*)\(.*?\)\2"|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')}{
    my $m = $1; $m =~ s/[^\n]/ /g; $m }gse;
  while ($text =~ /\bco_await\b/g) {
    my $at = $-[0];
    my $problem = Check($text, $at);
    next unless $problem;
    my $line = 1 + (substr($text, 0, $at) =~ tr/\n//);
    my ($start, $end) = (rindex($text, "\n", $at) + 1, index($text, "\n", $at));
    my $source = substr($text, $start, $end - $start);
    $source =~ s/^\s+|\s+$//g;
    print "$path:$line: co_await $problem: $source\n";
    ++$failures;
  }
}
if ($failures) {
  print "$failures co_await inside a larger expression: bind the awaited value to a named local first.\n";
  exit 1;
}
exit 0;

sub Check {
  my ($text, $at) = @_;
  # Backwards to the start of the statement.
  my $depth = 0;
  my $index = $at - 1;
  for (; $index >= 0; --$index) {
    my $c = substr($text, $index, 1);
    if ($c eq ')' || $c eq ']') { ++$depth; next; }
    if ($c eq '(' || $c eq '[') {
      return "inside parentheses (a condition, an argument or a cast)" if $depth == 0;
      --$depth;
      next;
    }
    last if $depth == 0 && ($c eq ';' || $c eq '{' || $c eq '}');
  }
  my $prefix = substr($text, $index + 1, $at - $index - 1);
  $prefix =~ s/\s+/ /g;
  $prefix =~ s/^ | $//g;
  my $ok_prefix = $prefix eq ''
      || $prefix =~ /^(?:else )?(?:if|while|for) ?(\((?:[^()]++|(?1))*\))$/
      || $prefix eq 'else'
      || $prefix =~ /^(?:[\w:<>,*& \[\]]|\.|->)+(?<![=!<>+\-*\/%&|^])=$/;
  return "after \"$prefix\"" unless $ok_prefix;
  # Forwards to the end of the statement: nothing but the awaited call chain.
  $depth = 0;
  my $operand = '';
  for ($index = $at + length('co_await'); $index < length($text); ++$index) {
    my $c = substr($text, $index, 1);
    if ($c eq '(' || $c eq '[' || $c eq '{') { $operand .= $c if $depth == 0; ++$depth; next; }
    if ($c eq ')' || $c eq ']' || $c eq '}') {
      return "inside parentheses (a condition, an argument or a cast)" if $depth == 0;
      --$depth;
      $operand .= $c if $depth == 0;
      next;
    }
    next if $depth > 0;
    last if $c eq ';';
    $operand .= $c;
  }
  $operand =~ s/->/./g;
  return "followed by an operator: \"$operand\"" if $operand =~ /[?=!+\-\/%|^]|(?<!:):(?!:)/;
  return '';
}
