<?php
/*
 * php content.php ROOT SPEC.json: creates posts and nested comments through
 * WordPress itself (wp_insert_post, wp_insert_comment) and prints
 * {"posts": {key: id}, "comments": {key: id}}.
 *
 * SPEC: {"posts": [{"key", "title", "content", "comments": [{"key", "parent"
 * (a key or null), "author", "content", "approved" ("1", "0", "spam"),
 * "ip", "agent"}]}]}. Comments are inserted in the order given.
 */
require __DIR__ . '/bootstrap.php';

$spec  = json_decode( file_get_contents( $argv[2] ), true );
$posts = array();
$ids   = array();
$when  = strtotime( '2026-11-20 09:00:00' );
foreach ( $spec['posts'] as $post ) {
	$post_id = wp_insert_post(
		array(
			'post_title'    => $post['title'],
			'post_content'  => $post['content'],
			'post_status'   => 'publish',
			'post_author'   => 1,
			'post_date_gmt' => gmdate( 'Y-m-d H:i:s', $when ),
		),
		true
	);
	if ( is_wp_error( $post_id ) ) {
		fwrite( STDERR, $post_id->get_error_message() . "\n" );
		exit( 1 );
	}
	$posts[ $post['key'] ] = $post_id;
	foreach ( $post['comments'] as $comment ) {
		$when += 600;
		$ids[ $comment['key'] ] = wp_insert_comment(
			array(
				'comment_post_ID'      => $post_id,
				'comment_parent'       => null === $comment['parent'] ? 0 : $ids[ $comment['parent'] ],
				'comment_author'       => $comment['author'],
				'comment_author_email' => strtolower( $comment['author'] ) . '@example.invalid',
				'comment_author_IP'    => $comment['ip'],
				'comment_agent'        => $comment['agent'],
				'comment_content'      => $comment['content'],
				'comment_approved'     => $comment['approved'],
				'comment_date'         => gmdate( 'Y-m-d H:i:s', $when ),
				'comment_date_gmt'     => gmdate( 'Y-m-d H:i:s', $when ),
			)
		);
	}
}
echo wp_json_encode( array( 'posts' => $posts, 'comments' => $ids ) ), "\n";
