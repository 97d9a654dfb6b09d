<?php
/* php edit.php ROOT ID TEXT: the commenter edits comment ID (wp_update_comment). */
require __DIR__ . '/bootstrap.php';
$done = wp_update_comment( array( 'comment_ID' => (int) $argv[2], 'comment_content' => $argv[3] ), true );
if ( is_wp_error( $done ) ) {
	fwrite( STDERR, $done->get_error_message() . "\n" );
	exit( 1 );
}
echo wp_json_encode( $done ), "\n";
