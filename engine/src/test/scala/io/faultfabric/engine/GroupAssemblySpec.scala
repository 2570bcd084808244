package io.faultfabric.engine

import org.scalatest.flatspec.AnyFlatSpec
import org.scalatest.matchers.should.Matchers

import scala.collection.mutable.ArrayBuffer
import scala.util.Random

/** Group assembly in one IOMMU unit, for every kind: what is handed over, when, and with which requests. */
class GroupAssemblySpec extends AnyFlatSpec with Matchers {

  private val Pf = 0x100
  private val Vf = 0x101

  /** One unit with a PF and a VF; PASID 1 of each attached to IOASIDs 1 and 2 (owners 101 and 102). */
  private final class UnitUnderTest(kind: IommuKind, depth: Int) extends IommuOutput {
    val dispatched = ArrayBuffer.empty[PageRequestGroup]
    val responses = ArrayBuffer.empty[PageRequestGroup]
    val core = new IommuCore(0, kind, depth, RoutingMode.OWNER, Array(Pf, Vf), Array(900, 901), new RoutingTable(4, io => 100 + io), this)
    core.attach(Pf, 1, 1)
    core.attach(Vf, 1, 2)

    override def dispatch(group: PageRequestGroup): Unit = dispatched += group
    override def respond(group: PageRequestGroup): Unit = responses += group

    def send(r: PageRequest): Unit = { core.offer(r, 0L); core.drain(Int.MaxValue, 0L) }
  }

  private def request(rid: Int, prgi: Int, page: Long, last: Boolean): PageRequest =
    new PageRequest(rid, 1, true, prgi, page * PageAddress.PAGE_SIZE, Permissions.READ, last, 0L, prgi.toLong)

  private def addresses(g: PageRequestGroup): Seq[Long] = (0 until g.requestCount).map(i => g.request(i).address)

  "A group of N requests" should "be handed over once, with its N requests in order, and only on its L=1" in {
    for (kind <- IommuKind.values; n <- 1 to 8) {
      val unit = new UnitUnderTest(kind, 64)
      val group = (0 until n).map(i => request(Pf, 7, 100L + i, last = i == n - 1))
      group.init.foreach { r =>
        unit.send(r)
        unit.dispatched shouldBe empty
      }
      unit.send(group.last)
      withClue(s"$kind, $n requests: ") {
        unit.dispatched should have size 1
        val g = unit.dispatched.head
        g.requestCount shouldBe n
        addresses(g) shouldBe group.map(_.address)
        g.isClosed shouldBe true
        g.handler shouldBe 101
        unit.responses shouldBe empty
      }
    }
  }

  "Interleaved PRGIs" should "assemble independently, each handed over when its own L=1 arrives" in {
    val random = new Random(20260101L)
    for (kind <- IommuKind.values; _ <- 1 to 25) {
      val unit = new UnitUnderTest(kind, 1024)
      val sizes = Vector.fill(1 + random.nextInt(12))(1 + random.nextInt(6))
      val sent = Array.fill(sizes.size)(0)
      // every group's requests in its own order, the groups shuffled together
      val stream = random.shuffle(sizes.indices.flatMap(g => Seq.fill(sizes(g))(g))).map { g =>
        sent(g) += 1
        request(Pf, g, 1000L * g + sent(g), last = sent(g) == sizes(g))
      }
      stream.foreach { r =>
        val before = unit.dispatched.size
        unit.send(r)
        unit.dispatched.size shouldBe before + (if (r.last) 1 else 0)
        if (r.last) unit.dispatched.last.prgi shouldBe r.prgi
      }
      unit.dispatched.map(_.prgi).sorted shouldBe sizes.indices
      unit.dispatched.foreach { g =>
        addresses(g) shouldBe (1 to sizes(g.prgi)).map(k => (1000L * g.prgi + k) * PageAddress.PAGE_SIZE)
      }
    }
  }

  "The same PRGI on the PF and on a VF" should "be two groups, each going to its own function's owner" in {
    val unit = new UnitUnderTest(IommuKind.VTD, 64)
    Seq(request(Pf, 3, 1, last = false), request(Vf, 3, 2, last = false), request(Vf, 3, 3, last = true), request(Pf, 3, 4, last = true))
      .foreach(unit.send)
    unit.dispatched.map(g => (g.rid, g.requestCount, g.handler)) shouldBe Seq((Vf, 2, 102), (Pf, 2, 101))
  }

  "A stop marker" should "be consumed, never answered, and leave the group of its PRGI as it was" in {
    for (kind <- IommuKind.values) {
      val unit = new UnitUnderTest(kind, 64)
      unit.send(request(Pf, 5, 1, last = false))
      unit.send(PageRequest.stopMarker(Pf, 1, 5, 0L))
      unit.responses shouldBe empty
      unit.dispatched shouldBe empty
      unit.send(request(Pf, 5, 2, last = true))
      unit.dispatched.map(_.requestCount) shouldBe Seq(2)
      unit.core.ledger.stopMarkersConsumed shouldBe 1
      unit.responses shouldBe empty
    }
  }

  "A group the hardware answered on overflow" should "leave nothing behind for the next group on its PRGI" in {
    for (kind <- IommuKind.values) {
      val unit = new UnitUnderTest(kind, 2)
      unit.core.offer(request(Pf, 9, 1, last = false), 0L)
      unit.core.offer(request(Pf, 9, 2, last = false), 0L)
      unit.core.offer(request(Pf, 9, 3, last = true), 0L) // the queue is full: answered Success by the hardware
      unit.responses.map(_.autoReason) shouldBe Seq(AutoReason.QUEUE_OVERFLOW)
      unit.core.drain(Int.MaxValue, 0L)
      unit.dispatched shouldBe empty
      unit.send(request(Pf, 9, 4, last = true))
      withClue(kind.toString) {
        unit.dispatched.map(addresses) shouldBe Seq(Seq(4 * PageAddress.PAGE_SIZE))
      }
    }
  }
}
