#!/usr/bin/perl
# blank_hive.pl SRC OUT - writes OUT, a copy of the hive SRC with every key
# under the root deleted and the root's values removed: an empty hive for
# `hivexregedit --merge`, made by hivex (Win::Hivex, libwin-hivex-perl)
# alone, as hivex itself cannot create a hive from nothing.
use strict;
use warnings;
use Win::Hivex;

die "usage: blank_hive.pl SRC OUT\n" unless @ARGV == 2;
my ($src, $out) = @ARGV;
my $h = Win::Hivex->open($src, write => 1);
my $root = $h->root;
$h->node_delete_child($_) for $h->node_children($root);
$h->node_set_values($root, []);
$h->commit($out);
