package dev.cohort.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.session.SessionRecord;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class RecordFormatTest {

  @Test
  void roundTrip_keepsEveryField() throws Exception {
    SessionRecord r =
        new SessionRecord(
            "id-1",
            42,
            1,
            2,
            -1,
            true,
            "BASIC",
            new byte[] {9},
            Map.of("n", new byte[] {1}),
            Map.of("ä", new byte[0], "b", new byte[] {2, 3}));
    SessionRecord back = RecordFormat.decode(RecordFormat.encode(r));
    assertThat(back.id()).isEqualTo("id-1");
    assertThat(back.version()).isEqualTo(42);
    assertThat(back.maxInactiveSeconds()).isEqualTo(-1);
    assertThat(back.isNew()).isTrue();
    assertThat(back.authType()).isEqualTo("BASIC");
    assertThat(back.principal()).containsExactly(9);
    assertThat(back.notes().get("n")).containsExactly(1);
    assertThat(back.attributes()).containsOnlyKeys("ä", "b");
  }

  @Test
  void hugeCountWithAValidChecksum_isRejectedWithoutAllocating() {
    byte[] data =
        RecordFormat.encode(
            new SessionRecord("x", 1, 1, 1, 1, false, null, null, Map.of(), Map.of()));
    // the attribute count is the 4 bytes before the checksum: claim two billion entries
    ByteBuffer.wrap(data).putInt(data.length - 8, Integer.MAX_VALUE);
    fixChecksum(data);
    assertThatThrownBy(() -> RecordFormat.decode(data))
        .isInstanceOf(RecordFormat.MalformedRecordException.class)
        .hasMessageContaining("entry count");
  }

  @Test
  void wrongMagicOrFormat_isRejected() {
    byte[] data =
        RecordFormat.encode(
            new SessionRecord("x", 1, 1, 1, 1, false, null, null, Map.of(), Map.of()));
    data[4] = 2;
    fixChecksum(data);
    assertThatThrownBy(() -> RecordFormat.decode(data)).hasMessageContaining("unknown format 2");
    data[0] = 'J';
    fixChecksum(data);
    assertThatThrownBy(() -> RecordFormat.decode(data)).hasMessageContaining("bad magic");
  }

  @Test
  void javaSerializationStream_isNotASessionRecord() {
    byte[] javaStream = {(byte) 0xAC, (byte) 0xED, 0, 5, 0x73, 0x72, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    assertThatThrownBy(() -> RecordFormat.decode(javaStream))
        .isInstanceOf(RecordFormat.MalformedRecordException.class);
  }

  private static void fixChecksum(byte[] data) {
    CRC32C crc = new CRC32C();
    crc.update(data, 0, data.length - 4);
    ByteBuffer.wrap(data).putInt(data.length - 4, (int) crc.getValue());
  }
}
