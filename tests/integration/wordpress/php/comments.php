<?php
/*
 * php comments.php ROOT: every comment as WordPress stores it, read back with
 * get_comments() (approved and held, then spam, then trash):
 * {id: {"approved", "status", "ip", "agent", "content", "post"}}.
 */
require __DIR__ . '/bootstrap.php';
$out = array();
foreach ( array( 'all', 'spam', 'trash' ) as $status ) {
	foreach ( get_comments( array( 'status' => $status, 'type' => 'all' ) ) as $c ) {
		$out[ $c->comment_ID ] = array(
			'approved' => $c->comment_approved,
			'status'   => wp_get_comment_status( $c ),
			'ip'       => $c->comment_author_IP,
			'agent'    => $c->comment_agent,
			'content'  => $c->comment_content,
			'post'     => (int) $c->comment_post_ID,
		);
	}
}
echo wp_json_encode( $out ), "\n";
